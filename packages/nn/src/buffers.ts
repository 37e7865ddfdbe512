import { Tensor } from "@tapegrad/autograd";

/** A registered buffer: its tensor (or null) and whether stateDict() lists it. */
export interface BufferEntry {
  value: Tensor | null;
  persistent: boolean;
}

const tables = new WeakMap<object, Map<string, BufferEntry>>();

/** The buffers registered on owner, in registration order. */
export function bufferTable(owner: object): Map<string, BufferEntry> {
  let table = tables.get(owner);
  if (!table) tables.set(owner, (table = new Map()));
  return table;
}

/**
 * Registers name as a buffer of owner: a non-enumerable accessor (so parameter and child
 * discovery, which walk enumerable properties, never see it) reading and writing the table.
 */
export function defineBuffer(owner: object, name: string, value: Tensor | null, persistent: boolean): void {
  const where = `${owner.constructor.name}.registerBuffer`;
  if (typeof name !== "string" || name === "" || name.includes(".")) throw new Error(`${where}: the name must be a non-empty string without ".", got ${JSON.stringify(name)}`);
  if (value !== null && !(value instanceof Tensor)) throw new Error(`${where}: buffer "${name}" must be a Tensor or null, got ${typeof value}`);
  const table = bufferTable(owner);
  if (!table.has(name) && Object.hasOwn(owner, name)) throw new Error(`${where}: "${name}" is already an attribute of the module`);
  const entry: BufferEntry = { value, persistent };
  table.set(name, entry);
  Object.defineProperty(owner, name, {
    configurable: true,
    enumerable: false,
    get: () => table.get(name)?.value ?? null,
    set: (v: Tensor | null) => {
      if (v !== null && !(v instanceof Tensor)) throw new Error(`${owner.constructor.name}: buffer "${name}" must be set to a Tensor or null, got ${typeof v}`);
      table.get(name)!.value = v;
    },
  });
}

/** Unregisters a buffer (the property goes too). */
export function deleteBuffer(owner: object, name: string): void {
  bufferTable(owner).delete(name);
  delete (owner as Record<string, unknown>)[name];
}
