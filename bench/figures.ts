/** The benchmark figures `npm run bench` knows, in the order it runs them. Later issues add P4, P5. */
import { BenchFigure } from "./figure";
import { p1 } from "./p1-tenants-under-mocks";
import { p2 } from "./p2-tenant-create-throughput";
import { p3 } from "./p3-local-dev-ready";
import { p5 } from "./p5-blue-green-cutover";
import { p6 } from "./p6-policy-overhead";

export const FIGURES: readonly BenchFigure[] = [p1, p2, p3, p5, p6];
