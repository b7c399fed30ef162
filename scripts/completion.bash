# Bash completion for LeakOperator. Source it (`. scripts/completion.bash`, or from ~/.bashrc), then press TAB after
# `LeakOperator `: commands, options and option values come from the program itself, through System.CommandLine's
# [suggest:POSITION] directive (the protocol dotnet-suggest speaks), so they never drift from the real parser.
_leakoperator_complete() {
  local IFS=$'\n'
  # shellcheck disable=SC2207 # one suggestion per line, by design
  COMPREPLY=($("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null))
}
complete -F _leakoperator_complete LeakOperator
