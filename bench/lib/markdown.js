// Markdown tables for BENCHMARKS.md.

function cell(value) {
  return String(value ?? '')
    .replaceAll('|', '\\|')
    .replaceAll('\n', ' ')
}

/** A GitHub table of `rows` (objects), with the keys of the first row as columns. */
export function table(rows) {
  if (rows.length === 0) return '_(no rows)_\n'
  const columns = Object.keys(rows[0])
  const lines = [
    `| ${columns.map(cell).join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${columns.map((column) => cell(row[column])).join(' | ')} |`)
  ]
  return `${lines.join('\n')}\n`
}

/** A fenced block with the command that reproduces a figure. */
export function command(text) {
  return `\`\`\`sh\n${text}\n\`\`\`\n`
}
