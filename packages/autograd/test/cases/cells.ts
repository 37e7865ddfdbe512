import fc from "fast-check";
import { fusedLstmCell } from "../../src/index";
import { shapeArb, spec, type Case, type OpSpecs } from "../helpers";

/** gates (..., 4H) and c (..., H), with 0 to 2 leading dims. */
const lstmCase: fc.Arbitrary<Case<null>> = fc
  .record({ lead: shapeArb(0, 2), hidden: fc.integer({ min: 1, max: 3 }) })
  .map(({ lead, hidden }) => ({ shapes: [[...lead, 4 * hidden], [...lead, hidden]], arg: null }));

/** gradcheck of the fused recurrent-cell ops. */
export const CELL_CHECKS: OpSpecs = {
  fusedLstmCell: [
    spec(lstmCase, ([gates, c]) => fusedLstmCell(gates!, c!)),
    // only h' or only c' used downstream: the other output's gradient is absent (zero)
    spec(lstmCase, ([gates, c]) => fusedLstmCell(gates!, c!)[0]),
    spec(lstmCase, ([gates, c]) => fusedLstmCell(gates!, c!)[1].mul(2)),
  ],
};
