# ssoenv shell integration for zsh, printed by `ssoenv hook zsh`.
# In ~/.zshrc:   eval "$(ssoenv hook zsh)"
#
# - `ssoenv use PROFILE` / `ssoenv off` change this shell (the function `ssoenv` below evals
#   what the program prints, only when it succeeded); every other verb runs the program.
# - Prompt segment `(aws PROFILE ACCOUNT/ROLE 42m) `, computed from the SSOENV_* variables
#   without starting a process (zsh/datetime gives the clock). SSOENV_DISABLE_PROMPT=1 leaves
#   PROMPT alone; `ssoenv_prompt` prints the segment for hand-made prompts.
# - Auto-refresh: at a prompt, credentials that expire within SSOENV_REFRESH_WINDOW seconds
#   (default 600) are replaced with `ssoenv use --no-login`; a browser is never opened from here.
# Loading it again is harmless: the precmd hook is installed once.

\builtin zmodload -F zsh/datetime +p:EPOCHSECONDS 2>/dev/null

# (loading the file again keeps the state, e.g. what is in PROMPT now)
typeset -g _ssoenv_seg=${_ssoenv_seg-} _ssoenv_ps1=${_ssoenv_ps1-} _ssoenv_inserted=${_ssoenv_inserted-}
typeset -g _ssoenv_notified=${_ssoenv_notified-} _ssoenv_color=${_ssoenv_color-}
typeset -g _ssoenv_opt_subst=${_ssoenv_opt_subst:-0} _ssoenv_opt_bang=${_ssoenv_opt_bang:-0}
typeset -gi _ssoenv_retry_at=${_ssoenv_retry_at:-0} _ssoenv_runs=${_ssoenv_runs:-0} _ssoenv_now=0

# The program (filled in by `ssoenv hook`).
function _ssoenv_exe {
    \command __SSOENV_EXE__ "$@"
}

# `ssoenv use ...` and `ssoenv off ...` change this shell; everything else runs the program.
function ssoenv {
    _ssoenv_read_options
    emulate -L zsh
    local _ssoenv_verb="${1-}" _ssoenv_arg _ssoenv_out _ssoenv_rc
    case "$_ssoenv_verb" in
    (use|off)
        for _ssoenv_arg in "$@"; do
            case "$_ssoenv_arg" in
            (-h|--help|--shell|--shell=*)
                # help text, or code for another shell: print it, do not eval it
                _ssoenv_exe "$@"
                return
                ;;
            esac
        done
        shift
        _ssoenv_out="$(_ssoenv_exe "$_ssoenv_verb" --shell zsh "$@")" || return
        eval "$_ssoenv_out" || return
        _ssoenv_notified=''
        _ssoenv_retry_at=0
        _ssoenv_update
        ;;
    (login)
        _ssoenv_exe "$@"
        _ssoenv_rc=$?
        _ssoenv_notified=''
        _ssoenv_retry_at=0
        return $_ssoenv_rc
        ;;
    (*)
        _ssoenv_exe "$@"
        ;;
    esac
}

function _ssoenv_clock {
    if (( ${+EPOCHSECONDS} )); then
        _ssoenv_now=$EPOCHSECONDS
    else
        _ssoenv_now=$(\command date +%s)
    fi
}

# Sets _ssoenv_seg (plain text, for ssoenv_prompt) and _ssoenv_color from the SSOENV_* variables.
function _ssoenv_segment {
    emulate -L zsh
    _ssoenv_seg=''
    _ssoenv_color=''
    [[ -n ${SSOENV_PROFILE-} ]] || return 0
    local text time='' exp=${SSOENV_EXPIRES_AT-}
    integer left minutes
    text="aws${SSOENV_SHELL_DEPTH:+:${SSOENV_SHELL_DEPTH}} ${SSOENV_PROFILE}"
    if [[ -n ${SSOENV_ACCOUNT_ID-}${SSOENV_ROLE_NAME-} ]]; then
        text="$text ${SSOENV_ACCOUNT_ID-}/${SSOENV_ROLE_NAME-}"
    fi
    # shown, never interpreted: control characters become `?`
    text=${text//[[:cntrl:]]/?}
    if [[ -n $exp && $exp != *[^0-9]* ]]; then
        _ssoenv_clock
        left=$(( exp - _ssoenv_now ))
        if (( left <= 0 )); then
            time="expired"; _ssoenv_color=red
        elif (( left < 60 )); then
            time="<1m!"; _ssoenv_color=yellow
        elif (( left < 3600 )); then
            time="$(( left / 60 ))m"
            (( left < 600 )) && { time="$time!"; _ssoenv_color=yellow }
        else
            minutes=$(( (left % 3600) / 60 ))
            time="$(( left / 3600 ))h${(l:2::0:)minutes}m"
        fi
    fi
    _ssoenv_seg="($text${time:+ $time})"
}

# Put the segment at the start of PS1 (or take it out). The text is made inert for the prompt
# options in force ($1: PROMPT_SUBST on, $2: PROMPT_BANG on, read before `emulate`):
# - with PROMPT_SUBST, PS1 holds the reference ${_ssoenv_ps1}: zsh expands it once and does not
#   re-expand the value, so `$(...)` in a profile name is shown, never run;
# - without it, PS1 holds the text itself, with `$` written as %1{$%} and backquotes shown as `'`,
#   so that turning PROMPT_SUBST on later cannot run anything either;
# - `%` (and `!` with PROMPT_BANG) are doubled: prompt escapes are processed in both cases.
function _ssoenv_update_prompt {
    local subst=$1 bang=$2
    emulate -L zsh
    local shown
    if [[ -n $_ssoenv_inserted ]]; then
        PS1=${PS1/$_ssoenv_inserted/}
        _ssoenv_inserted=''
    fi
    _ssoenv_ps1=''
    [[ -n $_ssoenv_seg && ${SSOENV_DISABLE_PROMPT-} != 1 ]] || return 0
    shown=${_ssoenv_seg//\%/%%}
    [[ $bang == 1 ]] && shown=${shown//\!/!!}
    if [[ $subst != 1 ]]; then
        if [[ ${TERM-dumb} == dumb ]]; then
            shown=${shown//\$/%\{\$%\}}  # zle shows %1{...%} as `?` on a dumb terminal
        else
            shown=${shown//\$/%1\{\$%\}}
        fi
        shown=${shown//\`/\'}
    fi
    if [[ -n $_ssoenv_color && ${TERM-dumb} != dumb && -z ${NO_COLOR-} ]]; then
        _ssoenv_ps1="%F{$_ssoenv_color}$shown%f "
    else
        _ssoenv_ps1="$shown "
    fi
    if [[ $subst == 1 ]]; then
        _ssoenv_inserted='${_ssoenv_ps1}'
    else
        _ssoenv_inserted=$_ssoenv_ps1
    fi
    PS1="$_ssoenv_inserted$PS1"
}

function _ssoenv_update {
    _ssoenv_segment
    _ssoenv_update_prompt "$_ssoenv_opt_subst" "$_ssoenv_opt_bang"
}

# The prompt options of the user (the functions here run under `emulate -L zsh`).
function _ssoenv_read_options {
    _ssoenv_opt_subst=0 _ssoenv_opt_bang=0
    [[ -o promptsubst ]] && _ssoenv_opt_subst=1
    [[ -o promptbang ]] && _ssoenv_opt_bang=1
    return 0
}

# Refresh credentials that expire within the window, once per prompt at most.
function _ssoenv_refresh {
    emulate -L zsh
    setopt localtraps
    local exp=${SSOENV_EXPIRES_AT-} window=${SSOENV_REFRESH_WINDOW-600} out shown
    integer rc
    [[ -n $exp && $exp != *[^0-9]* ]] || return 0
    [[ -n $window && $window != *[^0-9]* ]] || window=600
    _ssoenv_clock
    (( _ssoenv_now + window >= exp )) || return 0
    (( _ssoenv_now >= _ssoenv_retry_at )) || return 0
    # Ctrl-C interrupts the program, not this function (local trap, restored on return)
    trap ':' INT
    out="$(_ssoenv_exe use --no-login --quiet --shell zsh -- "$SSOENV_PROFILE" 2>/dev/null)"
    rc=$?
    if (( rc == 0 )); then
        eval "$out"
        _ssoenv_clock
        if [[ ${SSOENV_EXPIRES_AT-} == "$exp" ]] || (( _ssoenv_now + window >= ${SSOENV_EXPIRES_AT:-0} )); then
            _ssoenv_retry_at=$(( _ssoenv_now + 60 ))
        else
            _ssoenv_retry_at=0
        fi
    else
        _ssoenv_retry_at=$(( _ssoenv_now + 60 ))
        if [[ $_ssoenv_notified != "$exp" ]] && (( rc != 130 )); then
            _ssoenv_notified=$exp
            shown=${SSOENV_PROFILE//[[:cntrl:]]/?}
            if (( rc == 4 )); then
                print -ru2 -- "ssoenv: the SSO session of $shown has expired; run \`ssoenv login $shown\` to renew the credentials"
            else
                print -ru2 -- "ssoenv: could not refresh the credentials of $shown (exit $rc); run \`ssoenv use $shown\`"
            fi
        fi
    fi
}

# Runs before every prompt (precmd). zsh keeps $? for the prompt itself.
function _ssoenv_precmd {
    local rc=$?
    _ssoenv_read_options
    emulate -L zsh
    (( ++_ssoenv_runs ))
    [[ -n ${SSOENV_PROFILE-} ]] && _ssoenv_refresh
    _ssoenv_update
    # completion: register as soon as compinit has run (it may run after this file is loaded)
    if (( ${+functions[compdef]} && ${+functions[_ssoenv_complete]} )) && [[ ${_comps[ssoenv]-} != _ssoenv_complete ]]; then
        compdef _ssoenv_complete ssoenv
    fi
    return $rc
}

# The segment, for people who build their own prompt.
function ssoenv_prompt {
    emulate -L zsh
    _ssoenv_segment
    [[ -n $_ssoenv_seg ]] && print -rn -- "$_ssoenv_seg"
    return 0
}

# Install the precmd hook once, first in the list.
() {
    emulate -L zsh
    typeset -ga precmd_functions
    if (( ! ${precmd_functions[(Ie)_ssoenv_precmd]} )); then
        precmd_functions=(_ssoenv_precmd "${precmd_functions[@]}")
    fi
}
