import { describe, expect, it } from "vitest";
import { recordCalls, tensor, type OpCall } from "../src/index";

describe("recordCalls", () => {
  it("reports each op with its arguments and outputs, with or without grad, and stops afterwards", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const ids = tensor([0, 2], { dtype: "int32" });
    const calls: OpCall[] = [];
    const y = recordCalls(() => x.transpose(0, 1).softmax(-1).mul(2).add(ids.eq(0).to("float32").reshape([2, 1]).T), (c) => calls.push(c));
    expect(calls.map((c) => c.op)).toEqual(["permute", "softmax", "mul", "mul", "eq", "copy", "reshape", "permute", "add", "add"]);
    // a primitive's kernel (an untaped elementwise op) is reported before the primitive itself
    expect(Array.isArray(calls[2]!.args[0])).toBe(true);
    expect(calls[3]!.outputs[0]).toBe(calls[2]!.outputs[0]);
    expect(calls[0]!.args.slice(1)).toEqual([[1, 0]]);
    expect(calls[1]!.args.slice(1)).toEqual([-1 + 2]);
    expect((calls[3]!.args[1] as { shape: number[]; item(): number }).item()).toBe(2);
    expect(calls[4]!.outputs[0]!.dtype).toBe("bool");
    expect(calls[9]!.outputs[0]).toBe(y);
    const count = calls.length;
    x.add(1);
    expect(calls.length).toBe(count);
  });

  it("gives an op that returns its input an alias of its own, and does not nest", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const calls: OpCall[] = [];
    recordCalls(() => x.contiguous().reshape([2]).expand([2]), (c) => calls.push(c));
    for (const c of calls) expect(c.outputs.some((o) => o === c.args[0])).toBe(false);
    expect(() => recordCalls(() => recordCalls(() => 0, () => {}), () => {})).toThrow(/recordCalls: already recording \(calls do not nest\)/);
  });
});
