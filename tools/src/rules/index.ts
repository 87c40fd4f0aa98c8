export {
  buildRules,
  DEFAULT_RULES_OUT,
  loadStrictRules,
  rulesForProfile,
  STRICT_RULES_PATH,
  type BuildRulesOptions,
  type BuildRulesResult,
} from './build';
export { isSharedContainer, mergeRules, type Merged } from './merge';
export {
  applyProfile,
  COMPAT_READS,
  DEFAULT_RULES_PROFILE,
  isRulesProfile,
  RULES_PROFILES,
  type CompatRead,
  type RulesProfile,
} from './profiles';
export {
  SHOW_CONTROLLER_ACCESS,
  type ShowControllerAccess,
  type ShowControllerOp,
} from './show-controller';
export {
  inMemoryRules,
  parseRulesText,
  type LoadedRules,
  type RuleNode,
  type RulesFile,
  type RuleValue,
} from './source';
