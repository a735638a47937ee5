import { engineContract } from "./engine_contract.ts";

engineContract("fetch");
