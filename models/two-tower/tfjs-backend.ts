import type * as tfType from '@tensorflow/tfjs';

export interface LoadedTf {
  tf: typeof tfType;
  /** `tensorflow` when @tensorflow/tfjs-node loaded (native kernels), else `cpu` (pure JS). */
  backend: string;
  native: boolean;
}

let native: Promise<LoadedTf | undefined> | undefined;

/**
 * TensorFlow.js, with the native backend when `@tensorflow/tfjs-node` (an optional dependency)
 * is installed and its binary loads; otherwise the pure-JS CPU backend. A tfjs-node package that
 * installed without libtensorflow throws on import, which lands here as the fallback.
 */
export async function loadTf(options: { allowNative?: boolean } = {}): Promise<LoadedTf> {
  return (options.allowNative !== false && (await loadNativeTf())) || loadPure();
}

/** tfjs-node, or undefined when it is not installed or its native binary does not load. */
export function loadNativeTf(): Promise<LoadedTf | undefined> {
  native ??= (async () => {
    try {
      const pkg = '@tensorflow/tfjs-node';
      const tf = (await import(pkg)) as typeof tfType;
      await tf.ready();
      return { tf, backend: tf.getBackend(), native: true };
    } catch {
      return undefined;
    }
  })();
  return native;
}

async function loadPure(): Promise<LoadedTf> {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  await tf.ready();
  return { tf, backend: tf.getBackend(), native: false };
}
