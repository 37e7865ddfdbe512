import { checkInt, noGrad, tensor, where, zeros, type Tensor } from "@tapegrad/autograd";
import { normal_ } from "../init";
import { Module, Parameter } from "../module";
import type { LayerOptions } from "./linear";
import { fmt } from "../format";

/**
 * A lookup table: int32 indices of any shape -> (...shape, embeddingDim). Weights start N(0, 1);
 * the paddingIdx row starts at zero and never receives a gradient.
 */
export class Embedding extends Module {
  /** The table (numEmbeddings, embeddingDim). */
  weight: Parameter;
  /** The row that stays zero and gets no gradient, or null. */
  readonly paddingIdx: number | null;

  /**
   * @param numEmbeddings - rows of the table (the vocabulary size)
   * @param embeddingDim - features of each row
   * @param opts - paddingIdx, dtype, generator
   */
  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, opts: LayerOptions & { paddingIdx?: number } = {}) {
    super();
    for (const [k, v] of Object.entries({ numEmbeddings, embeddingDim })) checkInt("Embedding", k, v, 1);
    const pad = opts.paddingIdx;
    if (pad !== undefined && (!Number.isInteger(pad) || pad < -numEmbeddings || pad >= numEmbeddings)) {
      throw new Error(`Embedding: paddingIdx ${pad} is out of range for ${numEmbeddings} embeddings`);
    }
    this.paddingIdx = pad === undefined ? null : pad < 0 ? pad + numEmbeddings : pad;
    this.weight = new Parameter(zeros([numEmbeddings, embeddingDim], { dtype: opts.dtype ?? "float32" }));
    normal_(this.weight, 0, 1, opts);
    const pad0 = this.paddingIdx;
    if (pad0 !== null) noGrad(() => this.weight.select(0, pad0).zero_());
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? "" : `, padding_idx=${this.paddingIdx}`}`;
  }

  forward(indices: Tensor): Tensor {
    if (indices.dtype !== "int32") throw new Error(`Embedding: indices must be an int32 tensor, got ${indices.dtype} (shape ${fmt(indices.shape)})`);
    const flat = indices.reshape([-1]);
    const ids = flat.data();
    for (const i of ids) {
      if (i < 0 || i >= this.numEmbeddings) throw new Error(`Embedding: index ${i} is out of range for ${this.numEmbeddings} embeddings`);
    }
    let rows = this.weight.indexSelect(0, flat);
    if (this.paddingIdx !== null && ids.includes(this.paddingIdx)) {
      const isPad = tensor(Array.from(ids, (i) => (i === this.paddingIdx ? 1 : 0)), { dtype: this.weight.dtype, shape: [ids.length, 1] });
      rows = where(isPad, rows.detach(), rows);
    }
    return rows.reshape([...indices.shape, this.embeddingDim]);
  }
}
