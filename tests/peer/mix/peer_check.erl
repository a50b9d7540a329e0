%% Checks of the mix-suite harness (tests/integration/mix_suite.sh), made in
%% Erlang because they read Erlang terms: each prints what does not hold and
%% halts with 0 (all held) or 1. Compiled once per run into the run's
%% directory.
-module(peer_check).
-export([booted/1, same_terms/1, rel_modes/1, script_has/1, chunks/1,
         tar_list/1, consult_print/1]).

%% booted([File, Expected]): File (term_to_binary of a map, written by the
%% fixture's application) appears within 60 s and holds, for each key of
%% Expected (a map written as Erlang text), an equal value. An expected
%% value '$any' only requires the key.
booted([File, ExpectText]) ->
    Expect = parse(ExpectText),
    Got = wait_decoded(File, 600),
    Bad = [io_lib:format("  ~p: expected ~tp, got ~tp~n", [K, V, maps:get(K, Got, '$missing')])
           || {K, V} <- lists:sort(maps:to_list(Expect)),
              not matches(V, maps:get(K, Got, '$missing'))],
    finish(Bad).

matches('$any', '$missing') -> false;
matches('$any', _) -> true;
matches({'$prefix', P}, V) when is_binary(V) -> string:prefix(V, P) =/= nomatch;
matches({'$contains', P}, V) when is_binary(V) -> string:find(V, P) =/= nomatch;
matches(V, V) -> true;
matches(_, _) -> false.

wait_decoded(File, 0) -> io:format("~s never appeared~n", [File]), halt(1);
wait_decoded(File, N) ->
    case file:read_file(File) of
        {ok, Bin} when byte_size(Bin) > 0 ->
            try binary_to_term(Bin)
            catch _:_ -> timer:sleep(100), wait_decoded(File, N - 1)
            end;
        _ -> timer:sleep(100), wait_decoded(File, N - 1)
    end.

%% same_terms([A, B]): both files hold equal terms (file:consult).
same_terms([A, B]) ->
    {ok, TA} = file:consult(A),
    {ok, TB} = file:consult(B),
    case TA =:= TB of
        true -> halt(0);
        false -> io:format("~ts:~n~tp~ndiffers from ~ts:~n~tp~n", [A, TA, B, TB]), halt(1)
    end.

%% rel_modes([RelFile, Expected]): the .rel's applications, as [{App, Mode}]
%% in file order, equal Expected (Erlang text). Expected may end with '...'
%% to compare only a prefix; {partial, [{App, Mode}]} checks only those,
%% with Mode 'absent' meaning the application is not in the release.
rel_modes([File, ExpectText]) ->
    {ok, [{release, _, _, Apps}]} = file:consult(File),
    Got = [{element(1, A), mode_of(A)} || A <- Apps],
    case parse(ExpectText) of
        {partial, Pairs} ->
            Bad = [io_lib:format("  ~p: expected ~p, got ~p~n",
                                 [App, M, proplists:get_value(App, Got, absent)])
                   || {App, M} <- Pairs, proplists:get_value(App, Got, absent) =/= M],
            finish(Bad);
        Expect ->
            case Got =:= Expect of
                true -> halt(0);
                false -> io:format("expected ~p~ngot      ~p~n", [Expect, Got]), halt(1)
            end
    end.

mode_of({_, _}) -> permanent;
mode_of({_, _, M}) when is_atom(M) -> M;
mode_of({_, _, _}) -> permanent;
mode_of({_, _, M, _}) -> M.

%% script_has([ScriptFile, Instr1, yes|no, Instr2, yes|no, ...]): the boot
%% script holds (yes) or does not hold (no) each instruction (Erlang text).
script_has([File | Pairs]) ->
    {ok, [{script, _, Instrs}]} = file:consult(File),
    Bad = [io_lib:format("~ts: ~s expected ~s~n", [File, Text, YesNo])
           || {Text, YesNo} <- pairs(Pairs),
              lists:member(parse(Text), Instrs) =/= (YesNo =:= "yes")],
    Bad =/= [] andalso io:format("path instructions: ~p~n", [[I || {path, _} = I <- Instrs]]),
    finish(Bad).

pairs([A, B | T]) -> [{A, B} | pairs(T)];
pairs([]) -> [].

%% chunks([Beam, Chunk...]): prints "Chunk yes|no" for each.
chunks([Beam | Names]) ->
    {ok, Bin} = file:read_file(Beam),
    [io:format("~s ~s~n", [N, case beam_lib:chunks(Bin, [N]) of
                                  {ok, _} -> "yes";
                                  _ -> "no"
                              end]) || N <- Names],
    halt(0).

%% tar_list([Tarball]): one member name per line.
tar_list([Tar]) ->
    {ok, Names} = erl_tar:table(Tar, [compressed]),
    [io:format("~ts~n", [N]) || N <- Names],
    halt(0).

%% consult_print([File]): the terms of File, one per line (~0tp).
consult_print([File]) ->
    {ok, Terms} = file:consult(File),
    [io:format("~0tp~n", [T]) || T <- Terms],
    halt(0).

parse(Text) ->
    {ok, Toks, _} = erl_scan:string(Text ++ "."),
    {ok, Term} = erl_parse:parse_term(Toks),
    Term.

finish([]) -> halt(0);
finish(Bad) -> io:put_chars(Bad), halt(1).
