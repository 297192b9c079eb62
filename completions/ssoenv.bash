# TAB completion of ssoenv for bash: verbs, options, profile names, shells, formats; after
# `ssoenv exec PROFILE [--]` the command and its arguments, and file names for file options.
# Loaded by `ssoenv hook bash`. The candidates come from `ssoenv._complete` run through Python
# without the CLI (no click, no boto3): well under 60 ms even with thousands of profiles.
# shellcheck shell=bash

function _ssoenv_complete {
    \builtin local cur=${COMP_WORDS[COMP_CWORD]-} out rc line
    # the words after `ssoenv` before the current one; the current one goes in --cur=
    out=$(\builtin command __SSOENV_COMPLETE__ words --shell=bash "--cur=$cur" -- \
        "${COMP_WORDS[@]:1:COMP_CWORD-1}" 2>/dev/null)
    rc=$?
    COMPREPLY=()
    case $rc in
    0)
        # one candidate per line, taken as it is: never split on spaces, never globbed
        while IFS= \builtin read -r line; do
            [[ -n $line ]] && COMPREPLY+=("$line")
        done <<<"$out"
        ;;
    3)
        # `exec PROFILE -- CMD ...`: the command line from word $out + 1 on is CMD's
        if \builtin declare -F _command_offset >/dev/null; then
            _command_offset "$((out + 1))" # bash-completion: CMD's own completion
        elif ((COMP_CWORD == out + 1)); then
            while IFS= \builtin read -r line; do
                COMPREPLY+=("$line")
            done < <(\builtin compgen -c -- "$cur")
        else
            _ssoenv_complete_files "$cur"
        fi
        ;;
    4) _ssoenv_complete_files "$cur" ;;
    esac
    \builtin return 0
}

function _ssoenv_complete_files {
    \builtin compopt -o filenames 2>/dev/null
    \builtin local line
    while IFS= \builtin read -r line; do
        COMPREPLY+=("$line")
    done < <(\builtin compgen -f -- "$1")
}
\builtin complete -F _ssoenv_complete ssoenv
