/** The benchmark figures `npm run bench` knows, in the order it runs them. Later issues add P1, P2, P4, P5, P6. */
import { BenchFigure } from "./figure";
import { p3 } from "./p3-local-dev-ready";

export const FIGURES: readonly BenchFigure[] = [p3];
