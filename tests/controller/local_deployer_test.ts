/** The `local` deployer passes the deployer contract. */
import { localDeployer } from "../../src/deploy/local.ts";
import { deployerContract } from "./_deployer_contract.ts";
import { scriptedEngine } from "./_scripted_engine.ts";

deployerContract(
  "local",
  () => localDeployer({ createExecutor: scriptedEngine().createExecutor, version: "contract" }),
);
