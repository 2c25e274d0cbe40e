/**
 * Replication lag, from whichever side `client` is connected to: a primary reports each standby
 * it streams to (`pg_stat_replication`), a standby reports how far behind it is itself.
 */
import { Queryable, iso, num } from "./query";

/** One standby as its primary sees it. */
export interface StandbyLag {
  /** `application_name` of the standby's connection (its `cluster_name`, or `walreceiver`). */
  name: string;
  /** The standby's address; `null` for a Unix socket or when the caller may not see it. */
  clientAddress: string | null;
  /** WAL sender state: `startup`, `catchup`, `streaming`, `backup` or `stopping`. */
  state: string | null;
  /** `async`, `potential`, `sync` or `quorum`. */
  syncState: string | null;
  /**
   * Seconds between a commit on the primary and the standby having written, flushed, replayed it
   * (`write_lag`, `flush_lag`, `replay_lag`). `null` once the standby has caught up and the primary
   * has been idle for a moment: there is then nothing to measure.
   */
  writeLagSeconds: number | null;
  flushLagSeconds: number | null;
  replayLagSeconds: number | null;
  /**
   * Bytes of WAL the primary has written that the standby has not replayed:
   * `pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)`. `null` until the standby has sent its
   * first feedback after connecting.
   */
  replayLagBytes: number | null;
  /** Bytes of WAL written but not yet sent to the standby. */
  sendLagBytes: number | null;
}

/** What a primary reports. */
export interface PrimaryReplication {
  role: "primary";
  /** The primary's current WAL position. */
  currentLsn: string;
  /** One entry per connected standby (or other WAL receiver, such as pg_basebackup), by name. */
  standbys: StandbyLag[];
}

/** What a standby reports about itself. */
export interface StandbyReplication {
  role: "standby";
  /**
   * Seconds since the last transaction it replayed was committed on the primary:
   * `now() - pg_last_xact_replay_timestamp()`. `null` before it has replayed any transaction. On an
   * idle primary this grows although nothing is missing; read it with `receiveReplayGapBytes`.
   */
  replayDelaySeconds: number | null;
  /** Commit time (on the primary) of the last replayed transaction. */
  lastReplayedAt: string | null;
  /** Last WAL position received and flushed by streaming (`null` when it never streamed). */
  receiveLsn: string | null;
  /** Last WAL position replayed. */
  replayLsn: string | null;
  /** Bytes received but not yet replayed: `pg_wal_lsn_diff(receive, replay)`, at least 0. */
  receiveReplayGapBytes: number | null;
  /** The WAL receiver's status (`streaming`, `waiting`, ...); `null` when no WAL receiver runs. */
  receiverStatus: string | null;
  /** `host:port` the WAL receiver streams from; `null` when unknown to the caller. */
  upstream: string | null;
}

/** Replication status of the server `client` is connected to. */
export type ReplicationStatus = PrimaryReplication | StandbyReplication;

/**
 * Reads the replication lag: on a primary per standby from `pg_stat_replication`, on a standby
 * its own delay and receive/replay gap. `role` says which one the server is. Call it as a
 * superuser or a member of `pg_monitor` to see every figure.
 */
export async function replicationLag(client: Queryable): Promise<ReplicationStatus> {
  const recovering = (await client.query("SELECT pg_is_in_recovery() AS r")).rows[0].r === true;
  if (!recovering) {
    const current = (await client.query("SELECT pg_current_wal_lsn()::text AS lsn")).rows[0].lsn;
    const rows = (
      await client.query(
        `SELECT application_name AS name, host(client_addr) AS addr, state, sync_state,
                extract(epoch FROM write_lag) AS write_lag, extract(epoch FROM flush_lag) AS flush_lag,
                extract(epoch FROM replay_lag) AS replay_lag,
                pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) AS replay_bytes,
                pg_wal_lsn_diff(pg_current_wal_lsn(), sent_lsn) AS send_bytes
           FROM pg_stat_replication
          ORDER BY application_name, pid`,
      )
    ).rows;
    return {
      role: "primary",
      currentLsn: current,
      standbys: rows.map((r) => ({
        name: r.name,
        clientAddress: r.addr ?? null,
        state: r.state ?? null,
        syncState: r.sync_state ?? null,
        writeLagSeconds: num(r.write_lag),
        flushLagSeconds: num(r.flush_lag),
        replayLagSeconds: num(r.replay_lag),
        replayLagBytes: num(r.replay_bytes),
        sendLagBytes: num(r.send_bytes),
      })),
    };
  }
  const r = (
    await client.query(
      `SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp()) AS delay,
              pg_last_xact_replay_timestamp() AS replayed_at,
              pg_last_wal_receive_lsn()::text AS receive_lsn, pg_last_wal_replay_lsn()::text AS replay_lsn,
              greatest(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0) AS gap,
              (SELECT status FROM pg_stat_wal_receiver) AS receiver_status,
              (SELECT sender_host || ':' || sender_port FROM pg_stat_wal_receiver) AS upstream`,
    )
  ).rows[0];
  return {
    role: "standby",
    replayDelaySeconds: num(r.delay),
    lastReplayedAt: iso(r.replayed_at),
    receiveLsn: r.receive_lsn ?? null,
    replayLsn: r.replay_lsn ?? null,
    receiveReplayGapBytes: num(r.gap),
    receiverStatus: r.receiver_status ?? null,
    upstream: r.upstream ?? null,
  };
}
