/**
 * The flags of the `run` command, for src/cli/flags.ts parseFlags() and formatHelp(). Their values reach
 * loadConfig() by flag name; defaults are applied there, under the precedence flags > environment >
 * YAML file > defaults.
 */
import type { FlagSpec } from './flag-types.js'
import { CONFIG_FILE_ENV, CONFIG_FILE_FLAG, SETTINGS } from './settings.js'

export const RUN_FLAGS: readonly FlagSpec[] = [
  {
    name: CONFIG_FILE_FLAG,
    type: 'string',
    help: 'YAML configuration file (see docs/configuration.md).',
    env: CONFIG_FILE_ENV,
    placeholder: 'FILE'
  },
  ...SETTINGS.flatMap((setting): FlagSpec[] => {
    const flag = setting.flag
    if (flag === undefined) return []
    return [
      {
        name: flag.name,
        type: flag.type,
        help: flag.help,
        ...(setting.defaultText === undefined ? {} : { defaultText: setting.defaultText }),
        ...(setting.env === undefined ? {} : { env: setting.env }),
        ...(flag.placeholder === undefined ? {} : { placeholder: flag.placeholder })
      }
    ]
  })
]
