import fc from "fast-check";
import { fusedGruCell, fusedLstmCell } from "../../src/index";
import { shapeArb, spec, type Case, type OpSpecs } from "../helpers";

/** gates (..., 4H) and c (..., H), with 0 to 2 leading dims. */
const lstmCase: fc.Arbitrary<Case<null>> = fc
  .record({ lead: shapeArb(0, 2), hidden: fc.integer({ min: 1, max: 3 }) })
  .map(({ lead, hidden }) => ({ shapes: [[...lead, 4 * hidden], [...lead, hidden]], arg: null }));

/** inputGates (..., 3H), hiddenGates (..., 3H) and h (..., H), with 0 to 2 leading dims. */
const gruCase: fc.Arbitrary<Case<null>> = fc
  .record({ lead: shapeArb(0, 2), hidden: fc.integer({ min: 1, max: 3 }) })
  .map(({ lead, hidden }) => ({ shapes: [[...lead, 3 * hidden], [...lead, 3 * hidden], [...lead, hidden]], arg: null }));

/** gradcheck of the fused recurrent-cell ops. */
export const CELL_CHECKS: OpSpecs = {
  fusedLstmCell: [
    spec(lstmCase, ([gates, c]) => fusedLstmCell(gates!, c!)),
    // only h' or only c' used downstream: the other output's gradient is absent (zero)
    spec(lstmCase, ([gates, c]) => fusedLstmCell(gates!, c!)[0]),
    spec(lstmCase, ([gates, c]) => fusedLstmCell(gates!, c!)[1].mul(2)),
  ],
  fusedGruCell: [
    spec(gruCase, ([inputGates, hiddenGates, h]) => fusedGruCell(inputGates!, hiddenGates!, h!)),
    // pre-activations up to ±4, where σ and tanh flatten out
    spec(gruCase, ([inputGates, hiddenGates, h]) => fusedGruCell(inputGates!, hiddenGates!, h!), { range: { low: -4, high: 4 } }),
  ],
};
