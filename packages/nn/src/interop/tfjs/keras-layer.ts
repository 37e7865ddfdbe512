import type { Tensor } from "@tapegrad/autograd";
import { Module } from "../../module";
import { fmt } from "../../format";

/** Tensors coming out of a layer and the time-step mask (batch, time) that follows them, if any. */
export interface Flow {
  outputs: Tensor[];
  mask: Tensor | null;
}

/** The layer's config with checked access; errors name the layer, its class and the option. */
export class LayerConfig {
  constructor(readonly className: string, readonly raw: Record<string, unknown>) {}

  get name(): string {
    return String(this.raw["name"] ?? this.className);
  }

  fail(message: string): never {
    throw new Error(`loadLayersModel: layer "${this.name}" (${this.className}): ${message}`);
  }

  get<T>(key: string, fallback: T): T {
    const v = this.raw[key];
    return v === undefined || v === null ? fallback : (v as T);
  }

  /** The option's value, which must be one of allowed (its default when absent). */
  oneOf<T>(key: string, allowed: readonly T[], fallback: T): T {
    const v = this.get(key, fallback);
    if (!allowed.includes(v)) this.fail(`${key} ${JSON.stringify(v)} is not supported; expected ${allowed.map((a) => JSON.stringify(a)).join(" or ")}`);
    return v;
  }

  positiveInt(key: string): number {
    const v = this.raw[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) this.fail(`${key} must be a positive integer, got ${JSON.stringify(v)}`);
    return v;
  }
}

/** Hands out the manifest's weights in order, checking each one's layer, name and shape. */
export class WeightReader {
  private next = 0;
  constructor(private readonly weights: readonly [string, Tensor][]) {}

  take(cfg: LayerConfig, suffix: string, shape: number[]): [string, Tensor] {
    const entry = this.weights[this.next];
    if (!entry) cfg.fail(`the weight manifest ends before its weight "${suffix}" ${fmt(shape)}`);
    const [name, t] = entry;
    if (!name.startsWith(`${cfg.name}/`) || !name.endsWith(suffix)) cfg.fail(`expected its weight "${suffix}" next in the manifest, found "${name}"`);
    if (fmt(t.shape) !== fmt(shape)) cfg.fail(`weight "${name}" has shape ${fmt(t.shape)}, expected ${fmt(shape)}`);
    this.next++;
    return entry;
  }

  /** Throws when weights are left over after every layer took its own. */
  finish(): void {
    if (this.next < this.weights.length) throw new Error(`loadLayersModel: the weight manifest has ${this.weights.length - this.next} weight(s) no layer uses, starting with "${this.weights[this.next]![0]}"`);
  }
}

/**
 * A Keras layer rebuilt from tapegrad modules. call() maps input tensors and mask to outputs and
 * mask; kerasWeights() gives the current parameters back in Keras's layout, named as loaded.
 */
export abstract class KerasLayer extends Module {
  constructor(readonly cfg: LayerConfig) {
    super();
  }

  abstract call(inputs: Tensor[], mask: Tensor | null): Flow;

  abstract kerasWeights(): [string, Tensor][];

  forward(...inputs: Tensor[]): Tensor | Tensor[] {
    const { outputs } = this.call(inputs, null);
    return outputs.length === 1 ? outputs[0]! : outputs;
  }

  protected single(inputs: Tensor[]): Tensor {
    if (inputs.length !== 1) this.cfg.fail(`expected one input tensor, got ${inputs.length}`);
    return inputs[0]!;
  }

  override extraRepr(): string {
    return `name=${this.cfg.name}`;
  }
}
