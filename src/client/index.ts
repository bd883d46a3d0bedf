/** The package's `sibyl/client` entry (package.json `exports`): the typed client of the HTTP API. */
export {
  createSibylApi,
  createSibylClient,
  SibylApiError,
  SibylClient,
  unwrap,
  type ApiErrorBody,
  type components,
  type FeedItem,
  type FeedResponse,
  type InteractionPost,
  type InteractionsResult,
  type paths,
  type Schemas,
  type SibylApi,
  type SibylClientOptions,
} from './sibyl-client.js';
