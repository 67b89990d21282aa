# bash completion for @NAME@ (installed as /usr/share/bash-completion/completions/@NAME@).
# No word list to keep in step: the binary answers itself through System.CommandLine's [suggest] directive,
# so subcommands, options and their allowed values are always those of the installed version.
_@NAME@_suggest()
{
    local line="${COMP_LINE:0:COMP_POINT}" IFS=$'\n'
    local -a candidates
    # [suggest:N] "<line>": the completions at character N of the command line (the program's name included).
    mapfile -t candidates < <("$1" "[suggest:${#line}]" "$line" 2>/dev/null)
    mapfile -t COMPREPLY < <(compgen -W "${candidates[*]}" -- "${COMP_WORDS[COMP_CWORD]}")
}
complete -o default -F _@NAME@_suggest @NAME@
