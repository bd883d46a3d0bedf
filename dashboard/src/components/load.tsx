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
  const { error, run } = useAction();
  // `key` lists what the fetcher depends on.
  const reload = useCallback(() => run(async () => setData(await fetcher())), key);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, reload };
}

/**
 * What a control does on the page's behalf: `run` awaits an action and keeps why it failed in
 * `error` (cleared once one succeeds) instead of throwing.
 */
export function useAction(): {
  error: string | undefined;
  run: (action: () => Promise<void>) => Promise<void>;
} {
  const [error, setError] = useState<string>();
  const run = useCallback(async (action: () => Promise<void>) => {
    try {
      await action();
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  }, []);
  return { error, run };
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
