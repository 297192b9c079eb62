# ssoenv shell integration for zsh, printed by `ssoenv hook zsh`.
# In ~/.zshrc:   eval "$(ssoenv hook zsh)"
#
# - `ssoenv use PROFILE` / `ssoenv off` change this shell (the function `ssoenv` below evals
#   what the program prints, only when it succeeded); every other verb runs the program. In a
#   subshell, as in `eval "$(ssoenv use P)"`, the function prints the code instead, so that form
#   does exactly what the plain one does.
# - Prompt segment `(aws PROFILE ACCOUNT/ROLE 42m) `, computed from the SSOENV_* variables
#   without starting a process (zsh/datetime gives the clock), put in PROMPT by the first precmd
#   hook and again by the last one (themes that rebuild PROMPT), never twice, never left behind
#   in a copy of PROMPT that another tool saves and restores. Left out when
#   SSOENV_DISABLE_PROMPT=1 or when starship or powerlevel10k draws the prompt (they show
#   AWS_SSO_PROFILE themselves); `ssoenv_prompt` prints the segment for hand-made prompts.
# - Auto-refresh: credentials that expire within SSOENV_REFRESH_WINDOW seconds (default 600)
#   are renewed in the background (`ssoenv _refresh`, never a login, never a browser); the
#   result is picked up at a later prompt. The prompt itself never waits for the network.
# - Profiles that follow your directory: entering a tree whose nearest `.ssoenv` you allowed
#   (`ssoenv allow`) switches to the profile it names; leaving it puts back what was there. The
#   file is looked for with builtins only, and only when $PWD changed: no process at a prompt or
#   a `cd` unless a .ssoenv file is involved (then one: `ssoenv _dir`, never a login).
# Loading it again is harmless: the precmd hooks are installed once.

\builtin zmodload -F zsh/datetime +p:EPOCHSECONDS 2>/dev/null

# (loading the file again keeps the state)
typeset -g _ssoenv_seg=${_ssoenv_seg-} _ssoenv_color=${_ssoenv_color-} _ssoenv_notified=${_ssoenv_notified-}
typeset -g _ssoenv_seen=${_ssoenv_seen-} _ssoenv_bg_key=${_ssoenv_bg_key-}
typeset -g _ssoenv_session_warned=${_ssoenv_session_warned-}
typeset -gi _ssoenv_retry_at=${_ssoenv_retry_at:-0} _ssoenv_runs=${_ssoenv_runs:-0} _ssoenv_now=0
typeset -gi _ssoenv_bg_started=${_ssoenv_bg_started:-0}
# The hand-off file of the background refresh: written atomically (0600, in a private 0700
# folder) by `ssoenv _refresh`, read here with `source` and emptied (no process at the prompt).
typeset -g _ssoenv_bg_dir=__SSOENV_RUNTIME__
typeset -g _ssoenv_bg_file=$_ssoenv_bg_dir/refresh-$$.zsh
# The segment in PROMPT is this fixed text: it shows psvar[19] (the segment) in the colour
# psvar[18]. %v inserts the text as it is (no `%`, `$(...)` or `!` in a profile name is ever
# interpreted, whatever PROMPT_SUBST and PROMPT_BANG say), and a copy of PROMPT saved by another
# tool can only ever show the current segment; every copy is taken out at each prompt.
typeset -g _ssoenv_ref='%(19V.%(18V.%F{%18v}.)%19v%(18V.%f.) .)'

# The program (filled in by `ssoenv hook`).
function _ssoenv_exe {
    SSOENV_HOOK=zsh SSOENV_SHELL_PID=$$ \command __SSOENV_EXE__ "$@"
}

# `ssoenv use ...` and `ssoenv off ...` change this shell; everything else runs the program.
function ssoenv {
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
        if (( ZSH_SUBSHELL )); then
            # a subshell cannot change this shell: print the code, as the program does
            # (`eval "$(ssoenv use P)"` then applies it; on a terminal the program refuses)
            _ssoenv_exe "$_ssoenv_verb" --shell zsh "$@"
            return
        fi
        _ssoenv_out="$(_ssoenv_exe "$_ssoenv_verb" --shell zsh "$@")" || return
        eval "$_ssoenv_out" || return
        # by hand: the directory's switches no longer own the profile (leaving a tree keeps this)
        _ssoenv_dir_disown
        _ssoenv_update
        ;;
    (login)
        _ssoenv_exe "$@"
        _ssoenv_rc=$?
        # a new session: the prompt may try to refresh again at once, and a directory switch
        # that waited for a login happens at the next prompt
        _ssoenv_retry_at=0
        (( _ssoenv_rc == 0 )) && _ssoenv_dir_pending && _ssoenv_dir_again=retry
        return $_ssoenv_rc
        ;;
    (allow|deny)
        # the next prompt looks at this directory's .ssoenv again
        _ssoenv_exe "$@" && _ssoenv_dir_again=1
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
    local text time='' guard='' exp=${SSOENV_EXPIRES_AT-}
    integer left minutes
    # a guarded profile (ssoenv_guard = confirm): `!` before the name, also without colours
    [[ ${SSOENV_GUARD-} == 1 ]] && guard='!'
    text="aws${SSOENV_SHELL_DEPTH:+:${SSOENV_SHELL_DEPTH}} $guard${SSOENV_PROFILE}"
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
    # its own colour (magenta), unless the credentials have expired (red)
    [[ -n $guard && $_ssoenv_color != red ]] && _ssoenv_color=magenta
    _ssoenv_seg="($text${time:+ $time})"
}

# Whether the segment belongs in PROMPT: not when disabled, not when starship or powerlevel10k
# draws the prompt (both show AWS_SSO_PROFILE and AWS_CREDENTIAL_EXPIRATION themselves).
function _ssoenv_wants_segment {
    [[ -n $_ssoenv_seg && ${SSOENV_DISABLE_PROMPT-} != 1 && -z ${STARSHIP_SHELL-} ]] && (( ! ${+functions[p10k]} ))
}

# Take every copy of the segment out of PS1, then put exactly one at the start.
function _ssoenv_update_prompt {
    emulate -L zsh
    PS1=${PS1//$_ssoenv_ref/}
    if _ssoenv_wants_segment; then
        psvar[19]=$_ssoenv_seg
        if [[ -n $_ssoenv_color && ${TERM-dumb} != dumb && -z ${NO_COLOR-} ]]; then
            psvar[18]=$_ssoenv_color
        else
            psvar[18]=''
        fi
        PS1="$_ssoenv_ref$PS1"
    elif (( ${#psvar} >= 18 )); then
        psvar[18]='' psvar[19]=''
    fi
}

function _ssoenv_update {
    _ssoenv_segment
    _ssoenv_update_prompt
}

# One line, once per credentials, when the refresh failed: what happened and what to run.
function _ssoenv_failed {
    emulate -L zsh
    [[ $_ssoenv_notified != "${SSOENV_EXPIRES_AT-}" && $1 != 130 ]] || return 0
    _ssoenv_notified=${SSOENV_EXPIRES_AT-}
    local shown=${SSOENV_PROFILE//[[:cntrl:]]/?}
    if [[ $1 == 4 ]]; then
        print -ru2 -- "ssoenv: the SSO session of $shown has expired or was revoked; run \`ssoenv login $shown\`"
    else
        print -ru2 -- "ssoenv: could not refresh the credentials of $shown (exit $1); run \`ssoenv use $shown\`"
    fi
}

# Apply a finished background refresh, if it is still for the credentials in use.
function _ssoenv_pickup {
    emulate -L zsh
    (( _ssoenv_bg_started )) || return 0
    local file=$_ssoenv_bg_file _ssoenv_bg_rc=''
    _ssoenv_clock
    if [[ ! -s $file ]]; then
        # still running (bounded by the program's own time budget), or lost
        (( _ssoenv_now > _ssoenv_bg_started + 60 )) && _ssoenv_bg_started=0
        return 0
    fi
    _ssoenv_bg_started=0
    if [[ -O $file && $_ssoenv_bg_key == "${SSOENV_PROFILE-} ${SSOENV_EXPIRES_AT-}" ]]; then
        source "$file"
        _ssoenv_seen="${SSOENV_PROFILE-} ${SSOENV_EXPIRES_AT-}"
    fi
    : >| "$file"
    if [[ $_ssoenv_bg_rc == 0 ]]; then
        local window=${SSOENV_REFRESH_WINDOW-600} exp=${SSOENV_EXPIRES_AT:-0}
        [[ -n $window && $window != *[^0-9]* ]] || window=600
        [[ $exp != *[^0-9]* ]] || exp=0
        _ssoenv_retry_at=0
        if (( _ssoenv_now + window >= exp )); then
            _ssoenv_retry_at=$(( _ssoenv_now + 60 ))  # nothing fresher to be had yet
        fi
    elif [[ -n $_ssoenv_bg_rc ]]; then
        _ssoenv_retry_at=$(( _ssoenv_now + 60 ))
        _ssoenv_failed "$_ssoenv_bg_rc"
    fi
}

# One line, once per session end, when the SSO session ends within SSOENV_SESSION_WARN seconds
# (default 900): SSOENV_SESSION_EXPIRES_AT is set by `use` where the end is known. Never a login.
function _ssoenv_session_warn {
    emulate -L zsh
    local end=${SSOENV_SESSION_EXPIRES_AT-} warn=${SSOENV_SESSION_WARN:-900} at shown
    [[ -n $end && $end != *[^0-9]* && $end != "$_ssoenv_session_warned" ]] || return 0
    [[ $warn != *[^0-9]* ]] || warn=900
    _ssoenv_clock
    (( _ssoenv_now + warn >= end && _ssoenv_now < end )) || return 0
    _ssoenv_session_warned=$end
    if zmodload -F zsh/datetime +b:strftime 2>/dev/null; then
        strftime -s at '%H:%M' $end
    else
        at=$(\command date -d "@$end" +%H:%M 2>/dev/null || \command date -r "$end" +%H:%M)
    fi
    shown=${SSOENV_PROFILE//[[:cntrl:]]/?}
    print -ru2 -- "ssoenv: the SSO session of $shown ends at $at; run \`ssoenv login $shown\` now to avoid an interruption"
}

# Start a background refresh when the credentials expire within the window (one at a time,
# at most once a minute after a failure). `&!`: not a job of this shell (no job number, no
# "done" message), no terminal, no Ctrl-C.
function _ssoenv_refresh {
    emulate -L zsh
    local exp=${SSOENV_EXPIRES_AT-} window=${SSOENV_REFRESH_WINDOW-600}
    [[ -n $exp && $exp != *[^0-9]* ]] || return 0
    [[ -n $window && $window != *[^0-9]* ]] || window=600
    (( _ssoenv_bg_started )) && return 0
    _ssoenv_clock
    (( _ssoenv_now + window >= exp )) || return 0
    (( _ssoenv_now >= _ssoenv_retry_at )) || return 0
    _ssoenv_bg_started=$_ssoenv_now
    _ssoenv_bg_key="$SSOENV_PROFILE $exp"
    _ssoenv_exe _refresh zsh "$_ssoenv_bg_file" "$SSOENV_PROFILE" </dev/null >/dev/null 2>&1 &!
}

# --- profiles that follow your directory ---------------------------------------------------------
# A stack of the .ssoenv files of the trees we are in (outermost first) and, for each, the code
# that restores what its switch displaced, the profile it put in (emptied by a `use`/`off` by
# hand: leaving then changes nothing) and its state: applied, untrusted, pending (no session),
# refused (a guarded profile not confirmed), failed. Set by `ssoenv _dir` (never exported).
typeset -ga _ssoenv_dir_files _ssoenv_dir_restores _ssoenv_dir_owners _ssoenv_dir_states
typeset -g _ssoenv_dir_pwd=${_ssoenv_dir_pwd-} _ssoenv_dir_again=${_ssoenv_dir_again-} _ssoenv_dir_w=${_ssoenv_dir_w-}
# given the time of the token cache folder by `ssoenv _dir` when it found no session: a login
# makes the folder newer (`-nt`, no process)
typeset -g _ssoenv_dir_stamp=$_ssoenv_bg_dir/dir-$$.stamp

# Whether the innermost tree's switch waits for a login.
function _ssoenv_dir_pending {
    (( $#_ssoenv_dir_states )) && [[ ${_ssoenv_dir_states[-1]} == pending ]]
}

function _ssoenv_dir_disown {
    emulate -L zsh
    integer i
    for (( i = 1; i <= $#_ssoenv_dir_owners; i++ )); do
        _ssoenv_dir_owners[i]=''
        [[ ${_ssoenv_dir_states[i]} == pending ]] && _ssoenv_dir_states[i]=hand
    done
    return 0
}

# Leave the innermost tree: put back what its switch displaced, if the profile is still its own.
function _ssoenv_dir_pop {
    emulate -L zsh
    local file=${_ssoenv_dir_files[-1]} owner=${_ssoenv_dir_owners[-1]} restore=${_ssoenv_dir_restores[-1]}
    _ssoenv_dir_files[-1]=() _ssoenv_dir_owners[-1]=() _ssoenv_dir_restores[-1]=() _ssoenv_dir_states[-1]=()
    [[ -n $owner && $owner == "${SSOENV_PROFILE-}" ]] || return 0
    eval "$restore"
    local back=${SSOENV_PROFILE:-no profile}
    file=${file%/.ssoenv}
    print -ru2 -- "ssoenv: left ${file//[[:cntrl:]]/?}: back to ${back//[[:cntrl:]]/?}"
}

# Enter the tree of $1 (a .ssoenv): `ssoenv _dir` prints the code (and its state) to evaluate.
# $2 `retry`: after a possible login (say nothing if there is still no session).
function _ssoenv_dir_push {
    emulate -L zsh
    local _ssoenv_dir_st=failed _ssoenv_dir_r='' _ssoenv_dir_o='' out
    # (`exec`: the command substitution's own process runs the program, no second one)
    if out=$(SSOENV_HOOK=zsh \builtin exec __SSOENV_EXE__ _dir zsh "$1" "$_ssoenv_dir_stamp" ${2:+"$2"}); then
        eval "$out"
    else
        _ssoenv_dir_st=failed
    fi
    _ssoenv_dir_files+=("$1")
    _ssoenv_dir_restores+=("$_ssoenv_dir_r")
    _ssoenv_dir_owners+=("$_ssoenv_dir_o")
    _ssoenv_dir_states+=("$_ssoenv_dir_st")
}

# When $PWD changed (or `allow`/`deny`/a login asked for it): the nearest .ssoenv upwards, with
# builtins only; leave the trees we are no longer in, enter the new one.
function _ssoenv_dir_check {
    emulate -L zsh
    if _ssoenv_dir_pending && [[ -n $_ssoenv_dir_w && $_ssoenv_dir_w -nt $_ssoenv_dir_stamp ]]; then
        _ssoenv_dir_again=retry  # a login since: try again (quietly if still none)
    fi
    [[ $PWD != "$_ssoenv_dir_pwd" || -n $_ssoenv_dir_again ]] || return 0
    local dir=$PWD file='' top again=$_ssoenv_dir_again
    # the shell's first look, with a profile it was started with (`ssoenv shell P`, a nested
    # shell): the tree it starts in is taken as it is; entering another one switches
    [[ -z $_ssoenv_dir_pwd && -n ${SSOENV_PROFILE-} ]] && again=inherited
    _ssoenv_dir_pwd=$PWD
    while true; do
        [[ $dir == / ]] && dir=''
        if [[ -f $dir/.ssoenv ]]; then
            file=$dir/.ssoenv
            break
        fi
        [[ -n $dir ]] || break
        dir=${dir%/*}
    done
    while (( $#_ssoenv_dir_files )); do
        top=${_ssoenv_dir_files[-1]}
        if [[ $top == "$file" ]]; then
            [[ -n $_ssoenv_dir_again ]] || break
        elif [[ -n $file && ${file%/.ssoenv}/ == "${top%.ssoenv}"* ]]; then
            break  # an outer tree of the nearest file: still in it
        fi
        _ssoenv_dir_pop
    done
    _ssoenv_dir_again=''
    [[ -n $file ]] || return 0
    (( $#_ssoenv_dir_files )) && [[ ${_ssoenv_dir_files[-1]} == "$file" ]] && return 0
    if [[ $again == inherited ]]; then
        _ssoenv_dir_files+=("$file") _ssoenv_dir_restores+=('') _ssoenv_dir_owners+=('') _ssoenv_dir_states+=(inherited)
        return 0
    fi
    [[ $again == retry ]] || again=''
    _ssoenv_dir_push "$file" "$again"
}

# Runs first before every prompt (precmd). zsh keeps $? for the other hooks and the prompt.
function _ssoenv_precmd {
    emulate -L zsh
    (( ++_ssoenv_runs ))
    _ssoenv_pickup
    _ssoenv_dir_check
    # another profile since the last prompt (e.g. `eval "$(ssoenv use P)"`): a fresh start
    if [[ $_ssoenv_seen != "${SSOENV_PROFILE-} ${SSOENV_EXPIRES_AT-}" ]]; then
        _ssoenv_seen="${SSOENV_PROFILE-} ${SSOENV_EXPIRES_AT-}"
        _ssoenv_retry_at=0
    fi
    [[ -n ${SSOENV_PROFILE-} ]] && _ssoenv_refresh
    _ssoenv_session_warn
    _ssoenv_update
    # the segment is put in again last, after hooks that rebuild PROMPT (themes): keep
    # _ssoenv_draw at the end of the list (the change counts from the next prompt on)
    if [[ ${precmd_functions[-1]} != _ssoenv_draw ]]; then
        precmd_functions=(${precmd_functions:#_ssoenv_draw} _ssoenv_draw)
    fi
    # completion: register as soon as compinit has run (it may run after this file is loaded)
    if (( ${+functions[compdef]} && ${+functions[_ssoenv_complete]} )) && [[ ${_comps[ssoenv]-} != _ssoenv_complete ]]; then
        compdef _ssoenv_complete ssoenv
    fi
    return 0
}

# Runs last before every prompt: one segment, whatever the hooks in between did to PROMPT.
function _ssoenv_draw {
    _ssoenv_update_prompt
    return 0
}

# The segment, for people who build their own prompt.
function ssoenv_prompt {
    emulate -L zsh
    _ssoenv_segment
    [[ -n $_ssoenv_seg ]] && print -rn -- "$_ssoenv_seg"
    return 0
}

# Install the precmd hooks once: _ssoenv_precmd first, _ssoenv_draw last.
() {
    emulate -L zsh
    typeset -ga precmd_functions
    precmd_functions=(_ssoenv_precmd ${precmd_functions:#(_ssoenv_precmd|_ssoenv_draw)} _ssoenv_draw)
}
