# TAB completion of ssoenv for fish: verbs, options, profile names, shells, formats.
# Loaded by `ssoenv hook fish`. The candidates (with descriptions) come from ssoenv.completion
# run through Python without the CLI (no click, no boto3).

function _ssoenv_complete
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l cur (commandline -ct)
    command __SSOENV_COMPLETE__ words --shell=fish "--cur=$cur" -- $tokens 2>/dev/null
end

complete -c ssoenv -e
complete -c ssoenv -f -a '(_ssoenv_complete)'
