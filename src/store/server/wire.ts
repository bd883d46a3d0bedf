import type { Document } from 'mongodb';
import { decode } from './bson-codec.js';

/**
 * MongoDB's wire protocol, the part the official drivers and mongosh speak: OP_MSG (every command)
 * and the legacy OP_QUERY/OP_REPLY pair, which drivers still use for the first `hello` of a
 * connection. https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/
 */

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

const HEADER = 16;
const CHECKSUM_PRESENT = 1 << 0;
/** The client sends no reply slot for this message (unacknowledged writes). */
export const MORE_TO_COME = 1 << 1;

/** Largest message accepted: MongoDB's own maxMessageSizeBytes. */
export const MAX_MESSAGE_BYTES = 48_000_000;
export const MAX_BSON_BYTES = 16 * 1024 * 1024;

export interface CommandMessage {
  requestId: number;
  opCode: typeof OP_MSG | typeof OP_QUERY;
  /** The command document, with kind-1 sections folded in as arrays (`documents`, `updates`, …). */
  command: Document;
  moreToCome: boolean;
}

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** Splits a byte stream into whole messages; what is left over waits for more bytes. */
export class MessageReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const messages: Buffer[] = [];
    while (this.buffered >= 4) {
      const head = this.chunks.length === 1 ? this.chunks[0]! : this.flatten();
      const length = head.readInt32LE(0);
      if (length < HEADER || length > MAX_MESSAGE_BYTES)
        throw new ProtocolError(`message length ${length} out of range`);
      if (this.buffered < length) break;
      const all = this.flatten();
      messages.push(all.subarray(0, length));
      const rest = all.subarray(length);
      this.chunks = rest.length ? [rest] : [];
      this.buffered = rest.length;
    }
    return messages;
  }

  private flatten(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }
}

export function parseMessage(message: Buffer): CommandMessage {
  const requestId = message.readInt32LE(4);
  const opCode = message.readInt32LE(12);
  if (opCode === OP_MSG) return parseOpMsg(message, requestId);
  if (opCode === OP_QUERY) return parseOpQuery(message, requestId);
  throw new ProtocolError(
    opCode === OP_COMPRESSED
      ? 'compression was not negotiated'
      : `unsupported opCode ${opCode} (this server speaks OP_MSG)`,
  );
}

function parseOpMsg(message: Buffer, requestId: number): CommandMessage {
  const flags = message.readUInt32LE(HEADER);
  const end = flags & CHECKSUM_PRESENT ? message.length - 4 : message.length;
  let offset = HEADER + 4;
  let command: Document | undefined;
  const sequences: [string, Document[]][] = [];
  while (offset < end) {
    const kind = message[offset++];
    if (kind === 0) {
      const size = message.readInt32LE(offset);
      command = decode(message.subarray(offset, offset + size));
      offset += size;
    } else if (kind === 1) {
      const size = message.readInt32LE(offset);
      const sectionEnd = offset + size;
      const nameEnd = message.indexOf(0, offset + 4);
      const name = message.toString('utf8', offset + 4, nameEnd);
      const docs: Document[] = [];
      let at = nameEnd + 1;
      while (at < sectionEnd) {
        const docSize = message.readInt32LE(at);
        docs.push(decode(message.subarray(at, at + docSize)));
        at += docSize;
      }
      sequences.push([name, docs]);
      offset = sectionEnd;
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!command) throw new ProtocolError('OP_MSG without a body section');
  for (const [name, docs] of sequences) command[name] = docs;
  return { requestId, opCode: OP_MSG, command, moreToCome: (flags & MORE_TO_COME) !== 0 };
}

function parseOpQuery(message: Buffer, requestId: number): CommandMessage {
  let offset = HEADER + 4;
  const nameEnd = message.indexOf(0, offset);
  const fullName = message.toString('utf8', offset, nameEnd);
  offset = nameEnd + 1 + 8; // numberToSkip, numberToReturn
  const size = message.readInt32LE(offset);
  let query = decode(message.subarray(offset, offset + size));
  if (!fullName.endsWith('.$cmd')) throw new ProtocolError(`OP_QUERY is only accepted for commands`);
  // Legacy drivers wrap the command as { $query: {...}, $readPreference: ... }.
  if (query.$query) query = query.$query as Document;
  return {
    requestId,
    opCode: OP_QUERY,
    command: { ...query, $db: fullName.slice(0, -'.$cmd'.length) },
    moreToCome: false,
  };
}

let nextRequestId = 1;

/** A reply: the standard header, `prefix` bytes of op-specific fields (zeroed, then `fill`), the body. */
function reply(
  opCode: number,
  responseTo: number,
  prefix: number,
  body: Uint8Array,
  fill?: (b: Buffer) => void,
): Buffer {
  const header = Buffer.alloc(HEADER + prefix);
  header.writeInt32LE(HEADER + prefix + body.length, 0);
  header.writeInt32LE(nextRequestId++, 4);
  header.writeInt32LE(responseTo, 8);
  header.writeInt32LE(opCode, 12);
  fill?.(header);
  return Buffer.concat([header, body]);
}

/** An OP_MSG reply carrying one body document, already serialized: flags 0, section kind 0. */
export const opMsgReply = (responseTo: number, body: Uint8Array): Buffer =>
  reply(OP_MSG, responseTo, 5, body);

/** An OP_REPLY to a legacy OP_QUERY command: flags 0, cursor 0, from 0, one document. */
export const opReply = (responseTo: number, body: Uint8Array): Buffer =>
  reply(OP_REPLY, responseTo, 20, body, (header) => header.writeInt32LE(1, 32));
