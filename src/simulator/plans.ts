/** Public CrateDB Cloud node sizes (cloud docs "services"); the console shows CR1 as 1.75 CPUs. */

export interface Plan {
  /** API product_name, lower case. */
  readonly productName: string
  readonly cpusPerNode: number
  readonly memoryPerNodeBytes: number
  readonly heapSizeBytes: number
  readonly defaultDiskBytes: number
  readonly maxNodes: number
  /** Only cr1..cr4 can be suspended and scaled (API description of /suspend/). */
  readonly dedicated: boolean
}

const GiB = 1024 ** 3

function plan(
  productName: string,
  cpus: number,
  memoryGiB: number,
  diskGiB: number,
  dedicated: boolean
): Plan {
  return {
    productName,
    cpusPerNode: cpus,
    memoryPerNodeBytes: memoryGiB * GiB,
    heapSizeBytes: Math.round((memoryGiB * GiB) / (dedicated ? 4 : 2)),
    defaultDiskBytes: diskGiB * GiB,
    maxNodes: dedicated ? 9 : 1,
    dedicated
  }
}

export const PLANS: readonly Plan[] = [
  plan('crfree', 2, 2, 8, false),
  plan('s2', 2, 2, 8, false),
  plan('s4', 3, 4, 16, false),
  plan('s6', 4, 6, 32, false),
  plan('s12', 8, 12, 64, false),
  plan('cr1', 1.75, 7, 32, true),
  plan('cr2', 4, 14, 128, true),
  plan('cr3', 8, 28, 256, true),
  plan('cr4', 16, 55, 512, true)
]

export function findPlan(productName: string): Plan | undefined {
  return PLANS.find((candidate) => candidate.productName === productName.toLowerCase())
}

export const GIB = GiB
