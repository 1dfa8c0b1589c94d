/**
 * A change counter for the terminology registry, so answers computed from it can be cached and
 * dropped the moment it changes. Every change goes through `add`, `remove` or
 * `registerProviderFactory` on the one registry instance (store load, store.watch refreshes from
 * other processes, REST writes, sync), so wrapping those methods on the instance sees them all
 * without touching the engine (src/terminology stays framework- and cache-free).
 */
import type { RegistrySink } from '../deps.js';

export interface RegistryGeneration {
  /** Bumped on every change of the registry's content. */
  current(): number;
}

const trackers = new WeakMap<object, { generation: number }>();

type Mutable = RegistrySink & { registerProviderFactory?: (...args: never[]) => void };

/** Wraps the registry's mutators once per instance; later calls share the same counter. */
export function trackRegistry(registry: RegistrySink): RegistryGeneration {
  let tracker = trackers.get(registry);
  if (!tracker) {
    const state = { generation: 0 };
    tracker = state;
    trackers.set(registry, state);
    const target = registry as Mutable;
    const add = target.add.bind(target);
    const remove = target.remove.bind(target);
    target.add = (resource) => {
      state.generation++;
      add(resource);
    };
    target.remove = (resourceType, id) => {
      state.generation++;
      remove(resourceType, id);
    };
    if (typeof target.registerProviderFactory === 'function') {
      const register = target.registerProviderFactory.bind(target);
      target.registerProviderFactory = (...args: never[]) => {
        state.generation++;
        register(...args);
      };
    }
  }
  const t = tracker;
  return { current: () => t.generation };
}
