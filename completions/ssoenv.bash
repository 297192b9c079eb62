# TAB completion of ssoenv for bash: verbs, options, profile names, shells, formats.
# Loaded by `ssoenv hook bash`. The candidates come from `ssoenv._complete` run through Python
# without the CLI (no click, no boto3): well under 60 ms even with thousands of profiles.

function _ssoenv_complete {
    \builtin local IFS=$'\n' cur=${COMP_WORDS[COMP_CWORD]-}
    # the words after `ssoenv` before the current one; the current one goes in --cur=
    COMPREPLY=($(\builtin command __SSOENV_COMPLETE__ words --shell=bash "--cur=$cur" -- \
        "${COMP_WORDS[@]:1:COMP_CWORD-1}" 2>/dev/null))
    \builtin return 0
}
\builtin complete -F _ssoenv_complete ssoenv
