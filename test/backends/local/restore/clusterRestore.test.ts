/**
 * The custom bootstrap a clone PgCluster's first member runs: the exact command for each restore
 * target, split as Patroni splits it (Python's shlex, run here), and the cluster's archive hook.
 */
import assert from "assert";
import { execFileSync } from "child_process";
import { clusterArchiveCommand } from "../../../../components/backends/local/backup/pgbackrest";
import { restoreBootstrapOf } from "../../../../components/backends/local/restore/clusterRestore";
import { CloneSource } from "../../../../components/backends/local/restore/pgbackrestRestore";

const DATA = "/srv/pg/copy/members/node0/data";
const REPO = "--no-config --repo1-path=/srv/repo --log-level-file=off --log-level-console=warn --stanza=src";
const source = (target: CloneSource["target"]): CloneSource => ({ repoPath: "/srv/repo", stanza: "src", target, databaseName: "app", username: "app" });

/** The argv Patroni runs: shlex.split(command) + its two parameters. */
function patroniArgv(command: string): string[] {
  const py = "import json,shlex,sys; print(json.dumps(shlex.split(sys.argv[1]) + ['--scope=copy', '--datadir=" + DATA + "']))";
  return JSON.parse(execFileSync("python3", ["-c", py, command], { encoding: "utf8" }));
}

/** What `sh -c` would exec, with `exec` swapped for `printf` so the shell prints each argument it built. */
function shellWords(script: string): string[] {
  const out = execFileSync("/bin/sh", ["-c", script.replace(/^mkdir [^&]*&& exec /, "printf '%s\\n' "), "--scope=copy", `--datadir=${DATA}`], { encoding: "utf8" });
  return out.trimEnd().split("\n");
}

describe("clone PgCluster bootstrap (pgbackrest restore as Patroni's custom bootstrap)", () => {
  it("restores the latest point, a named set, a time and an LSN with the exact pgbackrest options", () => {
    const restoreCommand = `restore_command=/usr/bin/pgbackrest ${REPO} --pg1-path=${DATA} archive-get %f "%p"`;
    const cases: [CloneSource["target"], string | undefined, string[]][] = [
      [{ type: "latest" }, undefined, ["--type=default"]],
      [{ type: "backup", backupId: "20261126-101500F" }, "20261126-101500F", ["--set=20261126-101500F", "--type=immediate", "--target-action=promote"]],
      [{ type: "time", time: "2026-11-26T10:15:00.000Z" }, "20261126-101500F", ["--set=20261126-101500F", "--type=time", "--target=2026-11-26 10:15:00.000+00", "--target-action=promote"]],
      [{ type: "lsn", lsn: "0/3000060" }, "20261126-101500F", ["--set=20261126-101500F", "--type=lsn", "--target=0/3000060", "--target-action=promote"]],
    ];
    for (const [target, set, options] of cases) {
      const b = restoreBootstrapOf("/usr/bin/pgbackrest", source(target), set, DATA);
      assert.strictEqual(b.keepExistingRecoveryConf, true);
      assert.strictEqual(b.recoveryConf, undefined);
      const argv = patroniArgv(b.command);
      assert.deepStrictEqual(argv.slice(0, 2), ["/bin/sh", "-c"]);
      assert.deepStrictEqual(argv.slice(3), ["--scope=copy", `--datadir=${DATA}`], "Patroni's parameters become $0 and $1, unused");
      assert.ok(argv[2].startsWith(`mkdir -p -m 0700 ${DATA} && exec `), argv[2]);
      assert.deepStrictEqual(shellWords(argv[2]), [
        "/usr/bin/pgbackrest",
        ...REPO.split(" "),
        `--pg1-path=${DATA}`,
        ...options,
        `--recovery-option=${restoreCommand}`,
        "restore",
      ]);
    }
  });

  it("the cluster's archive hook pushes from the member it runs in, through the cluster's own configuration", () => {
    assert.strictEqual(
      clusterArchiveCommand("/srv/pg/orders", "orders", "/usr/bin/pgbackrest"),
      `if [ -f '/srv/pg/orders/backup/pgbackrest.conf' ]; then exec '/usr/bin/pgbackrest' '--config=/srv/pg/orders/backup/pgbackrest.conf' '--stanza=orders' "--pg1-path=$PWD" archive-push "$PWD/%p"; fi`,
    );
    assert.throws(() => clusterArchiveCommand("/srv/pg/it's", "x"), /must be an absolute path of letters, digits and `._\/\+-` only/);
  });
});
