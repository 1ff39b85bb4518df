# SPDX-License-Identifier: GPL-2.0
# bash completion for gcctl(8). Source it, or install it as
# /usr/share/bash-completion/completions/gcctl.

_gcctl()
{
	local cur prev words cword
	_init_completion || return

	case $prev in
	-n | --netns)
		COMPREPLY=($(compgen -W "$(ip netns list 2>/dev/null | cut -d' ' -f1)" -- "$cur"))
		return
		;;
	port | name | address | count)
		return
		;;
	esac

	# The object and command, past the global options.
	local i obj= cmd=
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-n | --netns) ((i++)) ;;
		-*) ;;
		*)
			if [[ -z $obj ]]; then
				obj=${words[i]}
			elif [[ -z $cmd ]]; then
				cmd=${words[i]}
			fi
			;;
		esac
	done

	if [[ -z $obj ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-j --json -n --netns -V --version -h --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "node up down join leave members stats params set key status monitor help" -- "$cur"))
		fi
		return
	fi
	case $obj in
	node)
		if [[ -z $cmd ]]; then
			COMPREPLY=($(compgen -W "show set" -- "$cur"))
		elif [[ $cmd == set ]]; then
			COMPREPLY=($(compgen -W "name address port" -- "$cur"))
		fi
		;;
	monitor)
		[[ -n $cmd ]] || COMPREPLY=($(compgen -W "count" -- "$cur"))
		;;
	up)
		COMPREPLY=($(compgen -W "name address port" -- "$cur"))
		;;
	set)
		# Parameter names in even positions, values in odd ones.
		local params="probe_interval_ms probe_timeout_ms indirect_checks retransmit_mult
			suspicion_mult suspicion_max_mult awareness_max gossip_interval_ms gossip_nodes
			gossip_to_dead_ms push_pull_interval_ms reconnect_ms reap_ms mtu max_members"
		[[ $prev == set || " $params " != *" $prev "* ]] &&
			COMPREPLY=($(compgen -W "$params" -- "$cur"))
		;;
	key)
		if [[ -z $cmd ]]; then
			COMPREPLY=($(compgen -W "generate add use del" -- "$cur"))
		elif [[ $cmd != generate ]]; then
			_filedir
		fi
		;;
	esac
}
complete -F _gcctl gcctl
