/**
 * The part of the PgSingle and PgCluster constructors they share: the options that put every child
 * behind the change guard (before `super`), then the guard, the in-place restore warning, the back
 * end's rendering, the guard's marker and the catalogue record (after `super`).
 */
import * as pulumi from "@pulumi/pulumi";
import { RenderedBackupSource, RenderedDbResource } from "./backends/backend";
import { recordDbResource } from "./catalog/componentRecords";
import { catalogInputOf, catalogTarget } from "./catalog/target";
import { ChangeGuards } from "./changeGuards";
import { backupSourceOf, warnInPlaceRestore } from "./dbResource";
import { PgClusterSpec, PgSingleSpec } from "./model/spec";

/** What a db_resource component prepares before `super`. */
export interface DbResourcePlan {
  catalog: ReturnType<typeof catalogInputOf>;
  guards: ChangeGuards;
  /** The caller's options with the guard's transformation added. */
  opts: pulumi.ComponentResourceOptions;
}

/** Prepares a db_resource component: its catalogue input, its guards, its options. */
export function planDbResource(name: string, spec: PgSingleSpec | PgClusterSpec, opts: pulumi.ComponentResourceOptions | undefined): DbResourcePlan {
  const catalog = catalogInputOf(catalogTarget());
  const guards = new ChangeGuards(name, spec, catalog);
  return { catalog, guards, opts: { ...opts, transformations: [...(opts?.transformations ?? []), guards.transformation] } };
}

/**
 * Renders a db_resource under `scope` (after `super`): the guard first, the back end's resources
 * through `render`, the marker, then the catalogue record, which acting components also wait for.
 */
export function renderDbResource(
  scope: pulumi.ComponentResource,
  name: string,
  spec: PgSingleSpec | PgClusterSpec,
  plan: DbResourcePlan,
  restoreFrom: unknown,
  render: (restoreFrom: RenderedBackupSource | undefined) => RenderedDbResource,
): RenderedDbResource {
  plan.guards.open(scope);
  warnInPlaceRestore(scope, spec);
  const rendered = render(spec.restore ? backupSourceOf(restoreFrom) : undefined);
  plan.guards.close(scope, rendered.resources);
  if (plan.catalog) rendered.resources.push(recordDbResource(scope, name, plan.catalog, spec, rendered));
  return rendered;
}
