/**
 * Bad BlueGreenUpgrade inputs, each with the exact message a user reads.
 */
import { VersionedDbResourceRef, parseBlueGreenUpgradeArgs } from "../../components/model";
import { BadInput, itRejects } from "./table";

const v16: VersionedDbResourceRef = {
  kind: "pg_single",
  plan: "small_single",
  backend: "local",
  resourceId: "shop-dev-orders-0a1b2c3d",
  environmentTier: "dev",
  version: "16",
};
const v17prod: VersionedDbResourceRef = {
  kind: "pg_cluster",
  plan: "prod_ha",
  backend: "aws",
  resourceId: "shop-prod-main-4e5f6a7b",
  environmentTier: "production",
  version: "17",
};

const rows: BadInput<{ source?: VersionedDbResourceRef }>[] = [
  {
    what: 'no source',
    args: { targetVersion: "17" },
    message: [
      'Invalid args for BlueGreenUpgrade "to17": 1 problem:',
      '  - `source` is required',
    ],
  },
  {
    what: 'no target version',
    args: { source: {} },
    ctx: { source: v16 },
    message: [
      'Invalid args for BlueGreenUpgrade "to17": 1 problem:',
      '  - `targetVersion` is required (the source\'s `16` upgrades to `17`, `18`)',
    ],
  },
  {
    what: 'the same version without a kind change',
    args: { source: {}, targetVersion: "16" },
    ctx: { source: v16 },
    message: [
      'Invalid args for BlueGreenUpgrade "to17": 1 problem:',
      '  - `targetVersion` must differ from the source\'s `16` unless `targetPlan` makes the pg_single a pg_cluster (`16` upgrades to `17`, `18`); got "16"',
    ],
  },
  {
    what: 'the same version on a cluster',
    args: { source: {}, targetVersion: "17" },
    ctx: { source: v17prod },
    message: [
      'Invalid args for BlueGreenUpgrade "to17": 1 problem:',
      '  - `targetVersion` must differ from the source\'s `17` (`17` upgrades to `18`); got "17"',
    ],
  },
  {
    what: 'a downgrade',
    args: { source: {}, targetVersion: 15 },
    ctx: { source: v16 },
    message: [
      'Invalid args for BlueGreenUpgrade "to17": 1 problem:',
      '  - `targetVersion` cannot go down from the source\'s `16` (a major downgrade needs a dump and restore into a new db_resource); got 15',
    ],
  },
  {
    what: 'a version past its end of life',
    args: { source: {}, targetVersion: "14" },
    ctx: { source: v16 },
    message: [
      'Invalid args for BlueGreenUpgrade "to17": 1 problem:',
      '  - `targetVersion` must be a supported major, one of `15`, `16`, `17`, `18` (PostgreSQL 14 reached end of life on 2026-11-12); got "14"',
    ],
  },
  {
    what: 'a minor version',
    args: { source: {}, targetVersion: "17.2" },
    ctx: { source: v16 },
    message: [
      'Invalid args for BlueGreenUpgrade "to17": 1 problem:',
      '  - `targetVersion` must be a supported major, one of `15`, `16`, `17`, `18` (give the major only, such as `17`; the back end picks the minor release); got "17.2"',
    ],
  },
  {
    what: 'an upgrade from the newest major',
    args: { source: {} },
    ctx: { source: { ...v16, version: "18" } },
    message: [
      'Invalid args for BlueGreenUpgrade "to17": 1 problem:',
      '  - `targetVersion` is required (the source\'s `18` is the newest supported major)',
    ],
  },
  {
    what: 'an unknown target plan',
    args: { source: {}, targetVersion: "17", targetPlan: "huge" },
    ctx: { source: v16 },
    message: [
      'Invalid args for BlueGreenUpgrade "to17": 1 problem:',
      '  - `targetPlan` must be one of `dev_single`, `small_single`, `medium_single`, `prod_ha`; got "huge"',
    ],
  },
  {
    what: 'a cluster moving to a single plan',
    args: { source: {}, targetVersion: "18", targetPlan: "medium_single" },
    ctx: { source: v17prod },
    message: [
      'Invalid args for BlueGreenUpgrade "to17": 1 problem:',
      '  - `targetPlan` must be a pg_cluster plan (`prod_ha`) for a pg_cluster source: a cluster cannot move back to a single node; got "medium_single"',
    ],
  },
  {
    what: 'a target plan not allowed in the source\'s tier',
    args: { source: {}, targetVersion: "18", targetPlan: "dev_single" },
    ctx: { source: { ...v17prod, kind: "pg_single", plan: "small_single" } },
    message: [
      'Invalid args for BlueGreenUpgrade "to17": 1 problem:',
      '  - `targetPlan` `dev_single` is not allowed in a production environment (the source is production); allowed tiers: `dev`, `staging`',
    ],
  },
  {
    what: 'in_place with a plan change',
    args: { source: {}, targetVersion: "17", targetPlan: "medium_single", strategy: "in_place" },
    ctx: { source: v16 },
    message: [
      'Invalid args for BlueGreenUpgrade "to17": 1 problem:',
      '  - `strategy` `in_place` cannot change the plan (`small_single` to `medium_single`); use `blue_green`, or leave `targetPlan` out; got "in_place"',
    ],
  },
  {
    what: 'in_place with a kind change',
    args: { source: {}, targetPlan: "prod_ha", strategy: "in_place" },
    ctx: { source: v16 },
    message: [
      'Invalid args for BlueGreenUpgrade "to17": 2 problems:',
      '  - `targetPlan` `prod_ha` is not allowed in a dev environment (the source is dev); allowed tiers: `staging`, `production`',
      '  - `strategy` `in_place` cannot change the kind (`pg_single` to `pg_cluster`); use `blue_green`, or leave `targetPlan` out; got "in_place"',
    ],
  },
  {
    what: 'a rollback of an in_place upgrade',
    args: { source: {}, targetVersion: "17", strategy: "in_place", phase: "rollback" },
    ctx: { source: v16 },
    message: [
      'Invalid args for BlueGreenUpgrade "to17": 1 problem:',
      '  - `phase` `rollback` is not possible with `strategy` `in_place` (an in-place major upgrade cannot be undone; restore a backup into a new db_resource instead); got "rollback"',
    ],
  },
  {
    what: 'cutover in production without confirm',
    args: { source: {}, targetVersion: "18", phase: "cutover" },
    ctx: { source: v17prod },
    message: [
      'Invalid args for BlueGreenUpgrade "to17": 1 problem:',
      '  - `confirm` must be true to run phase `cutover` in a production environment (the source is production; it moves the application to the new db_resource); got nothing',
    ],
  },
  {
    what: 'finalize in production with confirm false',
    args: { source: {}, targetVersion: "18", phase: "finalize", confirm: false },
    ctx: { source: v17prod },
    message: [
      'Invalid args for BlueGreenUpgrade "to17": 1 problem:',
      '  - `confirm` must be true to run phase `finalize` in a production environment (the source is production; it makes the move final and retires the old db_resource); got false',
    ],
  },
  {
    what: 'cutover on a source of unknown tier',
    args: { source: {}, targetVersion: "17", phase: "cutover" },
    ctx: { source: { ...v16, environmentTier: undefined } },
    message: [
      'Invalid args for BlueGreenUpgrade "to17": 1 problem:',
      '  - `confirm` must be true to run phase `cutover` in a production environment (the source\'s tier is not known, so it is treated as production; it moves the application to the new db_resource); got nothing',
    ],
  },
  {
    what: 'a write pause over 300 s and unknown values',
    args: { source: {}, targetVersion: "17", maxWritePauseSeconds: 600, tablesWithoutPrimaryKey: "ignore", phase: "switch" },
    ctx: { source: v16 },
    message: [
      'Invalid args for BlueGreenUpgrade "to17": 3 problems:',
      '  - `phase` must be one of `prepare`, `cutover`, `finalize`, `rollback`; got "switch"',
      '  - `tablesWithoutPrimaryKey` must be one of `replica_identity_full`, `refuse`; got "ignore"',
      '  - `maxWritePauseSeconds` must be <= 300; got 600',
    ],
  },
];

describe("BlueGreenUpgrade bad input", () => {
  itRejects(rows, (args, ctx) => parseBlueGreenUpgradeArgs("to17", args, ctx));
});
