/**
 * The aws back end's pure pieces: RDS identifiers, parameter values in RDS units, window overlap,
 * the backup window from a cron, statuses and regions.
 */
import assert from "assert";
import { identifierOf } from "../../../components/backends/aws/names";
import { rdsValueOf, unconvertibleParameters } from "../../../components/backends/aws/parameters";
import { backupWindowOf } from "../../../components/backends/aws/settings";
import { regionOf, statusOf } from "../../../components/backends/aws/status";
import { windowsOverlap } from "../../../components/backends/aws/windows";
import { maxConnectionsPercentOf } from "../../../components/backends/aws/proxy";

describe("aws back end: pure pieces", () => {
  it("derives RDS identifiers: lower case, a letter first, no `--`, at most 51", () => {
    assert.strictEqual(identifierOf("shop-prod-orders-5841d8b9"), "shop-prod-orders-5841d8b9");
    assert.strictEqual(identifierOf("9shop-prod--x-12345678"), "pg-9shop-prod-x-12345678");
    const long = identifierOf(`${"a".repeat(40)}-${"b".repeat(40)}-orders-12345678`);
    assert.strictEqual(long.length, 51);
    assert.match(long, /^a{40}-b-[0-9a-f]{8}$/);
  });

  it("writes parameter values in the units RDS takes", () => {
    assert.deepStrictEqual(
      [
        rdsValueOf("idle_in_transaction_session_timeout", "10min"),
        rdsValueOf("log_min_duration_statement", "1000ms"),
        rdsValueOf("log_min_duration_statement", "-1"),
        rdsValueOf("statement_timeout", "30s"),
        rdsValueOf("checkpoint_timeout", "15min"),
        rdsValueOf("temp_file_limit", "2GB"),
        rdsValueOf("wal_buffers", "16MB"),
        rdsValueOf("jit", "off"),
        rdsValueOf("random_page_cost", "1.1"),
        rdsValueOf("timezone", "UTC"),
        rdsValueOf("commit_delay", "10ms"),
        rdsValueOf("statement_timeout", "10MB"),
      ],
      ["600000", "1000", "-1", "30000", "900", "2097152", "2048", "0", "1.1", "UTC", undefined, undefined],
    );
    assert.deepStrictEqual(unconvertibleParameters({ commit_delay: "10ms", statement_timeout: "1s", jit: "on" }), ["commit_delay"]);
  });

  it("finds overlaps of the daily backup window with the weekly maintenance window, across midnight and the week's end", () => {
    assert.strictEqual(windowsOverlap("03:00-03:30", "sun:04:00-sun:05:00"), false);
    assert.strictEqual(windowsOverlap("03:00-04:30", "sun:04:00-sun:05:00"), true);
    assert.strictEqual(windowsOverlap("23:45-00:15", "mon:00:00-mon:01:00"), true);
    assert.strictEqual(windowsOverlap("04:00-04:30", "sun:23:30-mon:04:00"), false);
    assert.strictEqual(windowsOverlap("03:30-04:00", "sun:23:30-mon:04:00"), true);
  });

  it("opens the backup window at the schedule's first run", () => {
    assert.deepStrictEqual([backupWindowOf("0 3 * * *"), backupWindowOf("0 * * * *"), backupWindowOf("45 23 * * *")], ["03:00-03:30", "00:00-00:30", "23:45-00:15"]);
  });

  it("maps RDS statuses and reads regions from ARNs", () => {
    assert.deepStrictEqual(
      ["available", "backing-up", "modifying", "creating", "stopped", "failed", "storage-full", "incompatible-parameters", undefined].map((s) => statusOf(s)),
      ["RUNNING", "RUNNING", "RUNNING", "PENDING", "PENDING", "FAILED", "FAILED", "FAILED", "PENDING"],
    );
    assert.strictEqual(regionOf("arn:aws:rds:eu-west-1:123456789012:db:orders"), "eu-west-1");
  });

  it("sizes RDS Proxy's share of max_connections from the pool size", () => {
    assert.deepStrictEqual([maxConnectionsPercentOf(20, 400), maxConnectionsPercentOf(1, 400), maxConnectionsPercentOf(400, 400), maxConnectionsPercentOf(33, 100)], [5, 1, 100, 33]);
  });
});

describe("aws back end: changes RDS refuses", () => {
  const { awsChangeProblems } = require("../../../components/backends/aws/change") as typeof import("../../../components/backends/aws/change");
  it("storage grows by at least 10% at a time; the identifier never changes", () => {
    assert.deepStrictEqual(awsChangeProblems({ storageGb: 100, identifier: "orders" }, { storageGb: 110, identifier: "orders" }), []);
    assert.deepStrictEqual(awsChangeProblems({ storageGb: 100 }, { storageGb: 100 }), []);
    assert.deepStrictEqual(awsChangeProblems({ storageGb: 100, identifier: "orders" }, { storageGb: 105, identifier: "orders-db" }), [
      {
        path: "storage.sizeGb",
        message: "`storage.sizeGb` must grow by at least 10% at a time on the `aws` back end (RDS refuses smaller increases): from 100 at least 110; got 105",
      },
      {
        path: "aws.identifier",
        message: '`aws.identifier` cannot change from "orders" (RDS would replace the database with a new, empty one); keep it, or restore into a new db_resource; got "orders-db"',
      },
    ]);
  });
});
