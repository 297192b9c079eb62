# TAB completion of ssoenv for PowerShell: verbs, options, profile names, shells, formats.
# Loaded by `ssoenv hook pwsh`. The candidates come from ssoenv.front.completion run through Python
# without the CLI (no click, no boto3). Registered as a native completer under the names
# `ssoenv` and `ssoenv.exe`: PowerShell looks native completers up by command name, so the
# `ssoenv` function of the hook (which takes everything as $args) gets it too. (Not run live in
# this project's CI: no pwsh there.)

$global:_ssoenv_completer = {
    param($wordToComplete, $commandAst, $cursorPosition)
    $words = @()
    foreach ($element in @($commandAst.CommandElements | Select-Object -Skip 1)) {
        if ($element.Extent.EndOffset -ge $cursorPosition) { break }
        if ($element -is [System.Management.Automation.Language.StringConstantExpressionAst]) {
            $words += [string]$element.Value
        } else {
            $words += [string]$element.Extent.Text
        }
    }
    $quotes = "['" + [char]0x2018 + [char]0x2019 + [char]0x201A + [char]0x201B + "]"
    $lines = __SSOENV_COMPLETE__ 'words' '--shell=pwsh' "--cur=$wordToComplete" @words 2>$null
    foreach ($line in @($lines)) {
        if (-not $line) { continue }
        $parts = ([string]$line).Split([char]9, 2)
        $value = $parts[0]
        $help = if ($parts.Count -gt 1 -and $parts[1]) { $parts[1] } else { $value }
        $text = $value
        if ($value -match '[\s"`$@(){}\[\];,|&<>#' + "'" + ']' -or $value -match $quotes) {
            $text = "'" + ($value -replace $quotes, '$0$0') + "'"
        }
        [System.Management.Automation.CompletionResult]::new($text, $value, 'ParameterValue', $help)
    }
}
Register-ArgumentCompleter -Native -CommandName @('ssoenv', 'ssoenv.exe') -ScriptBlock $global:_ssoenv_completer
