import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  reload: () => Promise<void>;
}

/** Loads `fetcher`'s data when the component mounts and whenever `key` changes. */
export function useLoad<T>(fetcher: () => Promise<T>, key: unknown[] = []): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  // `key` lists what the fetcher depends on.
  const reload = useCallback(async () => {
    try {
      setData(await fetcher());
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  }, key);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, reload };
}

/** What a page shows while its data loads, or why it could not. */
export function Status(props: { loaded: Loaded<unknown>; children?: ComponentChildren }) {
  if (props.loaded.error)
    return (
      <p role="alert" class="error">
        {props.loaded.error}
      </p>
    );
  if (props.loaded.data === undefined) return <p aria-busy="true">Loading…</p>;
  return <>{props.children}</>;
}
