# TAB completion of ssoenv for zsh: verbs, options, profile names, shells, formats; after
# `ssoenv exec PROFILE [--]` the command and its arguments, and file names for file options.
# Loaded by `ssoenv hook zsh`; registered with compdef as soon as compinit has run (now, or at
# the next prompt if compinit runs later in .zshrc). Needs compinit (zsh's completion system). The candidates come from ssoenv.front.completion
# run through Python without the CLI (no click, no boto3).

function _ssoenv_complete {
    emulate -L zsh
    local -a lines values descriptions
    local line out described=
    # the complete words before the current one (quotes removed), and the current word's prefix
    out=$(\command __SSOENV_COMPLETE__ words --shell=zsh "--cur=${(Q)PREFIX}" -- \
        "${(@Q)words[2,CURRENT-1]}" 2>/dev/null)
    case $? in
    (3)
        # `exec PROFILE -- CMD ...`: the command line from word $out + 2 on is CMD's
        shift $(( out + 1 )) words
        (( CURRENT -= out + 1 ))
        _normal
        return
        ;;
    (4)
        _files
        return
        ;;
    esac
    lines=("${(@f)out}")
    for line in "${lines[@]}"; do
        [[ -n $line ]] || continue
        values+=("${line%%$'\t'*}")
        if [[ $line == *$'\t'* ]]; then
            described=1
            descriptions+=("${line%%$'\t'*} -- ${line#*$'\t'}")
        else
            descriptions+=("${line}")
        fi
    done
    (( ${#values} )) || return 1
    if [[ -n $described ]]; then
        compadd -l -d descriptions -a values
    else
        compadd -a values
    fi
}

if (( ${+functions[compdef]} )); then
    compdef _ssoenv_complete ssoenv
fi
