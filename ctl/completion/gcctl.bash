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
	port | name | address | count | type)
		return
		;;
	esac

	# The object and command, past the global options.
	local i obj= cmd= cmdi=0
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-n | --netns) ((i++)) ;;
		-*) ;;
		*)
			if [[ -z $obj ]]; then
				obj=${words[i]}
			elif [[ -z $cmd ]]; then
				cmd=${words[i]}
				cmdi=$i
			fi
			;;
		esac
	done

	if [[ -z $obj ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-j --json -n --netns -V --version -h --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "node up down join leave members stats params set key status monitor item items agg chain block tx help" -- "$cur"))
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
		if [[ -z $cmd ]]; then
			COMPREPLY=($(compgen -W "items count" -- "$cur"))
		elif [[ $cmd == items && $prev == items ]]; then
			COMPREPLY=($(compgen -W "count" -- "$cur"))
		fi
		;;
	item)
		# The words after "item CMD" so far: ID for get and verdict, then a keyword.
		local nargs=$((cword - cmdi - 1))
		case $cmd in
		'')
			COMPREPLY=($(compgen -W "put get verdict" -- "$cur"))
			;;
		put)
			if ((nargs == 0)); then
				COMPREPLY=($(compgen -W "type" -- "$cur"))
				_filedir
			elif [[ $prev != type ]] && ((nargs == 2)); then
				_filedir
			fi
			;;
		get)
			((nargs == 1)) && COMPREPLY=($(compgen -W "data" -- "$cur"))
			;;
		verdict)
			((nargs == 1)) && COMPREPLY=($(compgen -W "accept reject" -- "$cur"))
			;;
		esac
		;;
	agg)
		[[ -z $cmd ]] && COMPREPLY=($(compgen -W "show set del" -- "$cur"))
		;;
	chain | block | tx)
		# chain [dir DIR], block HEIGHT|HASH [dir DIR], tx ID [dir DIR]
		if [[ $prev == dir ]]; then
			_filedir -d
		elif [[ $obj == chain && -z $cmd ]] || [[ $obj != chain && $prev == "$cmd" && -n $cmd ]]; then
			COMPREPLY=($(compgen -W "dir" -- "$cur"))
		fi
		;;
	up)
		COMPREPLY=($(compgen -W "name address port" -- "$cur"))
		;;
	set)
		# Parameter names in even positions, values in odd ones.
		local params="probe_interval_ms probe_timeout_ms indirect_checks retransmit_mult
			suspicion_mult suspicion_max_mult awareness_max gossip_interval_ms gossip_nodes
			gossip_to_dead_ms push_pull_interval_ms reconnect_ms reap_ms mtu max_members
			item_max_bytes item_window item_window_bytes item_mem_max item_fanout
			item_retransmit_mult item_sync_ms item_pull_max item_pending_ms
			item_hold_unverified agg_interval_ms agg_epoch_rounds"
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
