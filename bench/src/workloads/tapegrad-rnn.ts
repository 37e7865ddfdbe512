import { fusedLstmCell, manualSeed, noGrad, randint, randn, zeros, type Tensor } from "@tapegrad/autograd";
import { Embedding, GRU, LSTM, Linear, Module, Parameter, RNN, Recurrent, crossEntropy, init, linear, mseLoss } from "@tapegrad/nn";
import { Adam, SGD } from "@tapegrad/optim";
import type { Runnable } from "../harness";

/** One training step: forward, loss, backward, optimizer update. */
function trainer(optimizer: { step(): void; zeroGrad(): void }, loss: () => Tensor): Runnable {
  return {
    step: () => {
      optimizer.zeroGrad();
      loss().backward();
      optimizer.step();
    },
  };
}

/** W1: LSTM(64 -> 256), batch 32, seq 50, MSE on the whole output, Adam. */
export function w1(): Runnable {
  manualSeed(1);
  const lstm = new LSTM({ inputSize: 64, hiddenSize: 256 });
  const x = randn([50, 32, 64]);
  const y = randn([50, 32, 256]);
  return trainer(new Adam(lstm.parameters(), { lr: 1e-3 }), () => mseLoss(lstm.forward(x)[0], y));
}

/** W2: GRU, 2 layers, bidirectional, 64 -> 128, batch 16, seq 100, MSE, Adam. */
export function w2(): Runnable {
  manualSeed(2);
  const gru = new GRU({ inputSize: 64, hiddenSize: 128, numLayers: 2, bidirectional: true });
  const x = randn([100, 16, 64]);
  const y = randn([100, 16, 256]);
  return trainer(new Adam(gru.parameters(), { lr: 1e-3 }), () => mseLoss(gru.forward(x)[0], y));
}

/** W3: char LM: embedding 65x64, LSTM 256, linear to 65, batch 32, seq 64, cross-entropy, Adam. */
export function w3(): Runnable {
  manualSeed(3);
  const embed = new Embedding(65, 64);
  const lstm = new LSTM({ inputSize: 64, hiddenSize: 256 });
  const head = new Linear(256, 65);
  const params = [...embed.parameters(), ...lstm.parameters(), ...head.parameters()];
  const tokens = randint(0, 65, [64, 32]);
  const targets = randint(0, 65, [64 * 32]);
  return trainer(new Adam(params, { lr: 1e-3 }), () => {
    const [out] = lstm.forward(embed.forward(tokens));
    return crossEntropy(head.forward(out).reshape([-1, 65]), targets);
  });
}

/** W4: Elman RNN (tanh) 8 -> 32, batch 1, seq 100, MSE, SGD. */
export function w4(): Runnable {
  manualSeed(4);
  const rnn = new RNN({ inputSize: 8, hiddenSize: 32 });
  const x = randn([100, 1, 8]);
  const y = randn([100, 1, 32]);
  return trainer(new SGD(rnn.parameters(), { lr: 0.01 }), () => mseLoss(rnn.forward(x)[0], y));
}

/** An LSTM of hidden size 256: the built-in, or a user-written cell run by Recurrent. */
function lstm256(userCell: boolean, options: { inputSize: number; numLayers?: number }): LSTM | Recurrent {
  return userCell ? new Recurrent((_layer, _direction, inputSize) => new UserLSTMCell(inputSize, 256) as never, options) : new LSTM({ ...options, hiddenSize: 256 });
}

/** W5: LSTM(64 -> 256) forward over one sequence of 200 steps, no grad (`userCell`: a user-written cell run by Recurrent). */
export function w5(userCell = false): Runnable {
  manualSeed(5);
  const lstm = lstm256(userCell, { inputSize: 64 });
  const x = randn([200, 1, 64]);
  return { step: () => void noGrad(() => lstm.forward(x)[0].data()) };
}

/** Characters W8 generates per step. */
export const W8_TOKENS = 500;

/**
 * W8: greedy generation from a char model (embedding 65x64, 2-layer LSTM 256, linear to 65),
 * batch 1, no grad: per character one embedding lookup, one step of each layer, the head and an
 * argmax that becomes the next input. With `userCell`, the layers are a user-written cell run by
 * Recurrent.
 */
export function w8(userCell = false): Runnable {
  manualSeed(8);
  const embed = new Embedding(65, 64);
  const lstm = lstm256(userCell, { inputSize: 64, numLayers: 2 });
  const head = new Linear(256, 65);
  return {
    step: () =>
      void noGrad(() => {
        let token = zeros([1, 1], { dtype: "int32" });
        let state: [Tensor, Tensor] | undefined;
        const text: number[] = [];
        for (let i = 0; i < W8_TOKENS; i++) {
          const [out, next] = lstm.forward(embed.forward(token), state) as [Tensor, [Tensor, Tensor]];
          state = next;
          token = head.forward(out.reshape([1, 256])).argmax(-1).reshape([1, 1]);
          text.push(token.item());
        }
        return text;
      }),
  };
}

/**
 * An LSTM cell as a user would write it with the public API: the part that depends only on x
 * in projectInput (the runner applies it to the whole sequence at once), the rest in step, its
 * pointwise half in the public fusedLstmCell op.
 */
class UserLSTMCell extends Module {
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias: Parameter;

  constructor(inputSize: number, readonly hiddenSize: number) {
    super();
    const k = 1 / Math.sqrt(hiddenSize);
    this.weight_ih = new Parameter(init.uniform_(randn([4 * hiddenSize, inputSize]), -k, k));
    this.weight_hh = new Parameter(init.uniform_(randn([4 * hiddenSize, hiddenSize]), -k, k));
    this.bias = new Parameter(init.uniform_(randn([4 * hiddenSize]), -k, k));
  }

  projectInput(x: Tensor): Tensor {
    return linear(x, this.weight_ih, this.bias);
  }

  step(projected: Tensor, state?: [Tensor, Tensor]): [Tensor, Tensor] {
    const gates = state ? linear(state[0], this.weight_hh, projected) : projected;
    return fusedLstmCell(gates, state ? state[1] : zeros([projected.shape[0]!, this.hiddenSize]));
  }

  forward(x: Tensor, state?: [Tensor, Tensor]): [Tensor, Tensor] {
    return this.step(this.projectInput(x), state);
  }
}

/** The same cell with its pointwise half written as separate elementwise ops. */
class PlainOpsLSTMCell extends UserLSTMCell {
  override step(projected: Tensor, state?: [Tensor, Tensor]): [Tensor, Tensor] {
    const gates = state ? linear(state[0], this.weight_hh, projected) : projected;
    const [i, f, g, o] = gates.chunk(4, -1) as [Tensor, Tensor, Tensor, Tensor];
    const c = state ? f.sigmoid().mul(state[1]).add(i.sigmoid().mul(g.tanh())) : i.sigmoid().mul(g.tanh());
    return [o.sigmoid().mul(c.tanh()), c];
  }
}

/** W7: W1 with a user cell run by Recurrent (plainOps: its pointwise half as separate ops). */
export function w7(plainOps = false): Runnable {
  manualSeed(7);
  const rnn = new Recurrent(() => (plainOps ? new PlainOpsLSTMCell(64, 256) : new UserLSTMCell(64, 256)) as never, { inputSize: 64 });
  const x = randn([50, 32, 64]);
  const y = randn([50, 32, 256]);
  return trainer(new Adam(rnn.parameters(), { lr: 1e-3 }), () => mseLoss(rnn.forward(x)[0], y));
}
