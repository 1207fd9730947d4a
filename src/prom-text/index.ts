export {
  createPromTextParser,
  parsePromText,
  type InvalidLine,
  type Labels,
  type MetadataKind,
  type ParsedPromText,
  type ParsedSample,
  type PromTextParser,
  type PromTextParserOptions,
  type PromTextStats,
  type SampleHandler
} from './parser.js'
