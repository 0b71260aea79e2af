# bash completion for sipfed(1)                                  -*- shell-script -*-
# Installed as share/bash-completion/completions/sipfed (loaded on demand).
# The option lists follow `sipfed help COMMAND`; tests/integration/completion.py
# fails when they drift apart.

_sipfed_opts_check='--zone --certs --resolver --timeout --trust --no-system-trust --at
 --hosting-provider --profile --format --json --color --no-color --no-probe --client
 --file --deadline --concurrency --resume --shard --quiet --brief --all --ignore --lab
 --no-lab --expiry-days --fail-on --callback --peer-cert --peer-host --allow-list --sbc
 --data-dir --help'
_sipfed_opts_cert='--name --role --chain --trust --no-system-trust --at --profile --format
 --json --color --no-color --expiry-days --password-file --data-dir --help'
_sipfed_opts_logs='--type --events --format --json --verify --zone --certs --resolver
 --timeout --trust --no-system-trust --at --hosting-provider --profile --color --no-color
 --help'
_sipfed_opts_plan='--check --format --json --zone --certs --resolver --timeout --trust
 --no-system-trust --at --hosting-provider --profile --color --no-color --data-dir --help'
_sipfed_opts_probe='--cert --key --from --target --timeout --count --connections --zone
 --resolver --trust --no-system-trust --at --profile --format --json --color --no-color
 --help'
_sipfed_opts_edge='--listen --fqdn --cert --key --trust --no-system-trust --at --zone
 --resolver --timeout --hosting-provider --profile --allow-list --block --log
 --concurrency --max-connections --max-header --max-message --header-timeout
 --idle-timeout --grace --help'

_sipfed()
{
	local cur prev cmd i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done

	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W 'check cert logs plan probe edge help --version --help' -- "$cur"))
		return 0
	fi
	if [[ $cmd == help ]]; then
		COMPREPLY=($(compgen -W 'check cert logs plan probe edge' -- "$cur"))
		return 0
	fi

	case $prev in
	--format)
		if [[ $cmd == check ]]; then
			COMPREPLY=($(compgen -W 'text json jsonl html nagios csv' -- "$cur"))
		elif [[ $cmd == plan ]]; then
			COMPREPLY=($(compgen -W 'text json' -- "$cur"))
		else
			COMPREPLY=($(compgen -W 'text json jsonl' -- "$cur"))
		fi
		return 0 ;;
	--profile) COMPREPLY=($(compgen -W 'sfb o365 dr' -- "$cur")); return 0 ;;
	--role) COMPREPLY=($(compgen -W 'edge um web sbc' -- "$cur")); return 0 ;;
	--type) COMPREPLY=($(compgen -W 'auto expressway edge uccapi sip event' -- "$cur")); return 0 ;;
	--fail-on) COMPREPLY=($(compgen -W 'warning error' -- "$cur")); return 0 ;;
	--certs|--data-dir) COMPREPLY=($(compgen -d -- "$cur")); return 0 ;;
	--zone|--trust|--file|-f|--chain|--cert|--key|--log|--allow-list|--resume|--password-file|--peer-cert)
		COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
	--resolver|--timeout|--at|--hosting-provider|--name|--shard|--concurrency|--deadline|\
	--ignore|--expiry-days|--peer-host|--sbc|--from|--target|--count|--connections|--listen|\
	--fqdn|--block|--max-connections|--max-header|--max-message|--header-timeout|\
	--idle-timeout|--grace)
		return 0 ;;
	esac

	if [[ $cur == -* ]]; then
		local v=_sipfed_opts_$cmd
		COMPREPLY=($(compgen -W "${!v}" -- "$cur"))
		return 0
	fi
	case $cmd in
	cert|logs|plan) COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
	return 0
}
complete -F _sipfed sipfed
