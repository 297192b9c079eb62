# TAB completion of ssoenv for fish: verbs, options, profile names, shells, formats; after
# `ssoenv exec PROFILE [--]` the command and its arguments, and file names for file options.
# Loaded by `ssoenv hook fish`. The candidates (with descriptions) come from ssoenv.front.completion
# run through Python without the CLI (no click, no boto3). `-f` only stops fish from adding file
# names everywhere: where files or a command belong, the function lists them itself.

function _ssoenv_complete
    set -l tokens (commandline -opc)
    set -e tokens[1]
    # the word as typed may hold quotes and escapes (an opening quote: `'team`): complete its value
    set -l cur (commandline -ct | string unescape)
    set -l out (command __SSOENV_COMPLETE__ words --shell=fish "--cur=$cur" -- $tokens 2>/dev/null)
    switch $status
        case 3
            # `exec PROFILE -- CMD ...`: the command line from token $out + 1 on is CMD's
            __fish_complete_subcommand --commandline $tokens[(math $out + 1)..-1] $cur
        case 4
            __fish_complete_path $cur
        case 0
            printf '%s\n' $out
    end
end

complete -c ssoenv -e
complete -c ssoenv -f -a '(_ssoenv_complete)'
