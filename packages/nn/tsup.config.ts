import { defineConfig } from "tsup";
import { sharedConfig } from "../../tsup.shared";

// @bufbuild/protobuf's wire writer is bundled so that the ESM build imports nothing but @tapegrad/autograd (browsers load it through an import map of the packages alone)
export default defineConfig({ ...sharedConfig(["src/index.ts", "src/node.ts"]), noExternal: ["@bufbuild/protobuf"] });
