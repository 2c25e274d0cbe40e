/**
 * A dev database on Kubernetes: one CloudNativePG instance from the `dev_single` plan. Prerequisite:
 * the CNPG operator (1.30) in the cluster; the Kubernetes provider's kubeconfig picks the cluster.
 * Only pods of the `shop-dev` namespace labelled `app: cart` reach PostgreSQL (NetworkPolicy).
 */
import { PgSingle } from "pgplatform";

const db = new PgSingle("cart", {
  projectId: "shop",
  environmentId: "dev",
  plan: "dev_single",
  backend: "kubernetes",
  network: { allowedPodLabels: { app: "cart" } },
  kubernetes: { namespace: "shop-dev" },
});

export const uri = db.connection.uri; // a secret: postgresql://app:...@cart-rw.shop-dev.svc.cluster.local:5432/app
export const writeEndpoint = db.endpoints.write;
export const status = db.status;
export const topology = db.topology;
