import { formatValue as f, grow } from './format.js'
import type { ClusterSnapshot } from './snapshot.js'

/**
 * cAdvisor families (label `pod`): per CrateDB pod a `crate` and a `sql-exporter` container row, a
 * pod-level row without `container` and a pause row (`name` but no `container`); the backup-metrics pod
 * with its `metrics-exporter` container; the grand-central pod, labelled cratedb="shared".
 */

import type { Rows } from './rows.js'

const DEVICES = ['b', 'c', 'd', 'e', 'f']

function device(ordinal: number, second: boolean): string {
  return `/dev/sd${DEVICES[(ordinal * 2 + (second ? 1 : 0)) % DEVICES.length] ?? 'b'}`
}

function sidecarValues(c: ClusterSnapshot): { ts: number; age: number; weight: number } {
  const first = c.nodes[0]
  return { ts: (first?.ts.cadvisor ?? c.healthTs) - 1744, age: first?.ageS ?? 0, weight: 0.5 }
}

export function cpuRows(c: ClusterSnapshot, out: Rows): void {
  const ns = c.namespace
  const side = sidecarValues(c)
  const [backupId, gcId, backupPause, gcPause] = c.sidecars.ids
  const backup = c.sidecars.backupPod
  const gc = c.sidecars.grandCentralPod
  const backupCpu = grow(side.age, 1, 0.004, 3) / 1000
  const gcCpu = grow(side.age, 1, 0.02, 5) / 1000
  for (const n of c.nodes)
    out.push(
      `container_cpu_usage_seconds_total{container="crate",cpu="total",name="${n.containerIds.crate}",namespace="${ns}",pod="${n.pod}"} ${f(n.cpuSeconds)} ${n.ts.cadvisor}`
    )
  out.push(
    `container_cpu_usage_seconds_total{container="metrics-exporter",cpu="total",name="${backupId}",namespace="${ns}",pod="${backup}"} ${f(backupCpu)} ${side.ts}`
  )
  for (const n of c.nodes)
    out.push(
      `container_cpu_usage_seconds_total{container="sql-exporter",cpu="total",name="${n.containerIds.sql}",namespace="${ns}",pod="${n.pod}"} ${f(grow(n.ageS, n.weight, 0.3, 7) / 1e6)} ${n.ts.sql}`
    )
  out.push(
    `container_cpu_usage_seconds_total{cpu="total",namespace="${ns}",pod="${backup}"} ${f(backupCpu + 0.024875)} ${side.ts + 2162}`
  )
  out.push(
    `container_cpu_usage_seconds_total{cpu="total",name="${backupPause}",namespace="${ns}",pod="${backup}"} ${f(0.023239)} ${side.ts - 7253}`
  )
  for (const n of c.nodes) {
    const podCpu = Math.round((n.cpuSeconds + grow(n.ageS, n.weight, 0.3, 7) / 1e6 + 1.6) * 1e6) / 1e6
    out.push(
      `container_cpu_usage_seconds_total{cpu="total",namespace="${ns}",pod="${n.pod}"} ${f(podCpu)} ${n.ts.pod}`
    )
    out.push(
      `container_cpu_usage_seconds_total{cpu="total",name="${n.containerIds.pause}",namespace="${ns}",pod="${n.pod}"} ${f(0.008111)} ${n.ts.pod - 1361}`
    )
  }
  out.push(
    `container_cpu_usage_seconds_total{container="grand-central-api",cpu="total",cratedb="shared",name="${gcId}",namespace="${ns}",pod="${gc}"} ${f(gcCpu)} ${side.ts - 5454}`
  )
  out.push(
    `container_cpu_usage_seconds_total{cpu="total",cratedb="shared",namespace="${ns}",pod="${gc}"} ${f(gcCpu + 0.039661)} ${side.ts + 732}`
  )
  out.push(
    `container_cpu_usage_seconds_total{cpu="total",cratedb="shared",name="${gcPause}",namespace="${ns}",pod="${gc}"} ${f(0.030183)} ${side.ts + 3553}`
  )
}

function fsRows(family: string, c: ClusterSnapshot, out: Rows, perSecond: number): void {
  const ns = c.namespace
  const side = sidecarValues(c)
  const [backupId, gcId] = c.sidecars.ids
  const backup = c.sidecars.backupPod
  const gc = c.sidecars.grandCentralPod
  const sideBytes = grow(side.age, 1, perSecond / 500, 11) * 4096
  for (const n of c.nodes) {
    const root = grow(n.ageS, n.weight, perSecond / 20, 13) * 512
    const data = grow(n.ageS, n.weight, perSecond, 17) * 4096
    out.push(
      `${family}{container="crate",device="/dev/sda",name="${n.containerIds.crate}",namespace="${ns}",pod="${n.pod}"} ${f(root)} ${n.ts.cadvisor}`
    )
    out.push(
      `${family}{container="crate",device="${device(n.ordinal, false)}",name="${n.containerIds.crate}",namespace="${ns}",pod="${n.pod}"} ${f(data)} ${n.ts.cadvisor}`
    )
  }
  out.push(
    `${family}{container="metrics-exporter",device="/dev/sda",name="${backupId}",namespace="${ns}",pod="${backup}"} ${f(sideBytes)} ${side.ts}`
  )
  for (const n of c.nodes)
    out.push(
      `${family}{container="sql-exporter",device="/dev/sda",name="${n.containerIds.sql}",namespace="${ns}",pod="${n.pod}"} ${f(4096 * (n.ordinal + 1))} ${n.ts.sql}`
    )
  out.push(`${family}{device="/dev/sda",namespace="${ns}",pod="${backup}"} ${f(sideBytes)} ${side.ts + 2162}`)
  for (const n of c.nodes) {
    const root = grow(n.ageS, n.weight, perSecond / 20, 13) * 512
    const data = grow(n.ageS, n.weight, perSecond, 17) * 4096
    out.push(`${family}{device="/dev/sda",namespace="${ns}",pod="${n.pod}"} ${f(root + 204800)} ${n.ts.pod}`)
    out.push(
      `${family}{device="${device(n.ordinal, false)}",namespace="${ns}",pod="${n.pod}"} ${f(data)} ${n.ts.pod}`
    )
    out.push(
      `${family}{device="${device(n.ordinal, true)}",namespace="${ns}",pod="${n.pod}"} ${f(0)} ${n.ts.pod}`
    )
  }
  out.push(
    `${family}{container="grand-central-api",cratedb="shared",device="/dev/sda",name="${gcId}",namespace="${ns}",pod="${gc}"} ${f(sideBytes)} ${side.ts - 5454}`
  )
  out.push(
    `${family}{cratedb="shared",device="/dev/sda",namespace="${ns}",pod="${gc}"} ${f(sideBytes)} ${side.ts + 732}`
  )
}

export function fsReadRows(c: ClusterSnapshot, out: Rows): void {
  fsRows('container_fs_reads_bytes_total', c, out, 2)
}

export function fsWriteRows(c: ClusterSnapshot, out: Rows): void {
  fsRows('container_fs_writes_bytes_total', c, out, 8)
}

export function memoryRows(c: ClusterSnapshot, out: Rows): void {
  const ns = c.namespace
  const side = sidecarValues(c)
  const [backupId, gcId, backupPause, gcPause] = c.sidecars.ids
  const backup = c.sidecars.backupPod
  const gc = c.sidecars.grandCentralPod
  const family = 'container_memory_usage_bytes'
  for (const n of c.nodes)
    out.push(
      `${family}{container="crate",name="${n.containerIds.crate}",namespace="${ns}",pod="${n.pod}"} ${f(n.memoryBytes)} ${n.ts.cadvisor}`
    )
  out.push(
    `${family}{container="metrics-exporter",name="${backupId}",namespace="${ns}",pod="${backup}"} ${f(19243008)} ${side.ts}`
  )
  for (const n of c.nodes)
    out.push(
      `${family}{container="sql-exporter",name="${n.containerIds.sql}",namespace="${ns}",pod="${n.pod}"} ${f(18268160 + n.ordinal * 1335296)} ${n.ts.sql}`
    )
  out.push(`${family}{namespace="${ns}",pod="${backup}"} ${f(19570688)} ${side.ts + 2162}`)
  out.push(
    `${family}{name="${backupPause}",namespace="${ns}",pod="${backup}"} ${f(229376)} ${side.ts - 7253}`
  )
  for (const n of c.nodes) {
    out.push(`${family}{namespace="${ns}",pod="${n.pod}"} ${f(n.memoryBytes + 22360064)} ${n.ts.pod}`)
    out.push(
      `${family}{name="${n.containerIds.pause}",namespace="${ns}",pod="${n.pod}"} ${f(208896)} ${n.ts.pod - 1361}`
    )
  }
  out.push(
    `${family}{container="grand-central-api",cratedb="shared",name="${gcId}",namespace="${ns}",pod="${gc}"} ${f(120283136)} ${side.ts - 5454}`
  )
  out.push(`${family}{cratedb="shared",namespace="${ns}",pod="${gc}"} ${f(120545280)} ${side.ts + 732}`)
  out.push(
    `${family}{cratedb="shared",name="${gcPause}",namespace="${ns}",pod="${gc}"} ${f(221184)} ${side.ts + 3553}`
  )
}

function networkRows(family: string, c: ClusterSnapshot, out: Rows, perSecond: number): void {
  const ns = c.namespace
  const side = sidecarValues(c)
  const [, , backupPause, gcPause] = c.sidecars.ids
  out.push(
    `${family}{interface="eth0",name="${backupPause}",namespace="${ns}",pod="${c.sidecars.backupPod}"} ${f(grow(side.age, 1, perSecond / 10, 19))} ${side.ts - 7253}`
  )
  for (const n of c.nodes)
    out.push(
      `${family}{interface="eth0",name="${n.containerIds.pause}",namespace="${ns}",pod="${n.pod}"} ${f(grow(n.ageS, n.weight, perSecond, 23))} ${n.ts.pod - 1361}`
    )
  out.push(
    `${family}{cratedb="shared",interface="eth0",name="${gcPause}",namespace="${ns}",pod="${c.sidecars.grandCentralPod}"} ${f(grow(side.age, 1, perSecond, 29))} ${side.ts + 3553}`
  )
}

export function networkReceiveRows(c: ClusterSnapshot, out: Rows): void {
  networkRows('container_network_receive_bytes_total', c, out, 900)
}

export function networkTransmitRows(c: ClusterSnapshot, out: Rows): void {
  networkRows('container_network_transmit_bytes_total', c, out, 800)
}
