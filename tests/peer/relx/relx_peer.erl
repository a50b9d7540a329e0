%% Term work for the relx suite harness (tests/peer/relx/driver.py).
%%
%% Started once per case as `erl -noshell -pa DIR -run relx_peer main REQ...`;
%% the arguments are requests separated by "::", each `ID COMMAND ARGS...`,
%% and every answer line is `ID TEXT`:
%%
%%   ID same A B    "same" when both files hold equal terms (file:consult),
%%                  else "diff PATH: X /= Y" at the first difference,
%%                  or "error FILE: REASON" when one cannot be read
%%   ID script A B  as same, for boot scripts ($RELEASE_LIB/ read as $ROOT/lib/)
%%   ID specs REL   one "spec APP VSN MODE" line per application of a .rel
%%                  (MODE permanent for {App, Vsn}), then "erts VSN"
%%   ID consult F   one "kv KEY ~p" line per {Key, Value} term of F, or
%%                  per key of an {application, Name, Keys} term ("term ~p"
%%                  for other terms)
%%   ID boot B S    "same" when the .boot decodes to the .script's term
-module(relx_peer).
-export([main/1]).

main(Args) ->
    lists:foreach(fun request/1, split(Args, [], [])),
    halt(0).

split([], [], Acc) -> lists:reverse(Acc);
split([], Cur, Acc) -> lists:reverse([lists:reverse(Cur) | Acc]);
split(["::" | T], Cur, Acc) -> split(T, [], [lists:reverse(Cur) | Acc]);
split([H | T], Cur, Acc) -> split(T, [H | Cur], Acc).

request([Id | Req]) ->
    try answer(Req) of
        Lines -> [out(Id, L) || L <- Lines]
    catch
        C:R -> out(Id, io_lib:format("error ~p:~p", [C, R]))
    end;
request([]) ->
    ok.

out(Id, Line) ->
    io:format("~s ~s~n", [Id, flat(Line)]).

flat(L) ->
    [case C of $\n -> $\s; _ -> C end || C <- lists:flatten(L)].

answer(["same", A, B]) ->
    case {file:consult(A), file:consult(B)} of
        {{ok, TA}, {ok, TB}} -> [first_diff(TA, TB, "")];
        {{error, E}, _} -> [io_lib:format("error ~s: ~p", [A, E])];
        {_, {error, E}} -> [io_lib:format("error ~s: ~p", [B, E])]
    end;
answer(["script", A, B]) ->
    %% relman's boot scripts name the release's lib as $RELEASE_LIB (given
    %% with -boot_var by bin/NAME), relx's as $ROOT/lib: the same directory
    %% when the release runs (docs/compat.md, relx section)
    {ok, [SA]} = file:consult(A),
    {ok, [SB]} = file:consult(B),
    [first_diff(release_lib(SA), release_lib(SB), "")];
answer(["specs", Rel]) ->
    {ok, [{release, _, {erts, Erts}, Apps}]} = file:consult(Rel),
    [spec(A) || A <- Apps] ++ [io_lib:format("erts ~s", [Erts])];
answer(["consult", F]) ->
    {ok, Ts} = file:consult(F),
    lists:append([kvs(T) || T <- Ts]);
answer(["boot", Boot, Script]) ->
    {ok, Bin} = file:read_file(Boot),
    {ok, [S]} = file:consult(Script),
    case binary_to_term(Bin) =:= S of
        true -> ["same"];
        false -> ["diff boot and script disagree"]
    end.

%% an application resource file shows its keys
kvs({application, _, Props}) -> lists:append([kvs(P) || P <- Props]);
kvs({K, V}) when is_atom(K) -> [io_lib:format("kv ~s ~p", [K, V])];
kvs(T) -> [io_lib:format("term ~p", [T])].

spec({App, Vsn}) -> io_lib:format("spec ~s ~s permanent", [App, Vsn]);
spec({App, Vsn, Mode}) when is_atom(Mode) -> io_lib:format("spec ~s ~s ~s", [App, Vsn, Mode]);
spec({App, Vsn, Incl}) -> io_lib:format("spec ~s ~s permanent ~w", [App, Vsn, Incl]);
spec({App, Vsn, Mode, Incl}) -> io_lib:format("spec ~s ~s ~s ~w", [App, Vsn, Mode, Incl]).

release_lib("$RELEASE_LIB/" ++ Rest) -> "$ROOT/lib/" ++ Rest;
release_lib(L) when is_list(L) -> [release_lib(X) || X <- L];
release_lib(T) when is_tuple(T) -> list_to_tuple(release_lib(tuple_to_list(T)));
release_lib(X) -> X.

%% The first place where two terms differ, as a path of positions.
first_diff(X, X, _) ->
    "same";
first_diff(A, B, Path) when is_list(A), is_list(B) ->
    case io_lib:printable_list(A) andalso io_lib:printable_list(B) of
        true -> io_lib:format("diff ~s: ~p /= ~p", [Path, A, B]);
        false -> list_diff(A, B, Path, 1)
    end;
first_diff(A, B, Path) when is_tuple(A), is_tuple(B), tuple_size(A) =:= tuple_size(B) ->
    list_diff(tuple_to_list(A), tuple_to_list(B), Path ++ "{}", 1);
first_diff(A, B, Path) ->
    io_lib:format("diff ~s: ~P /= ~P", [Path, A, 12, B, 12]).

list_diff([X | TA], [X | TB], Path, N) ->
    list_diff(TA, TB, Path, N + 1);
list_diff([A | _], [B | _], Path, N) ->
    first_diff(A, B, Path ++ "/" ++ integer_to_list(N));
list_diff([], [], _, _) ->
    "same";
list_diff(A, B, Path, N) ->
    io_lib:format("diff ~s/~b: ~P /= ~P", [Path, N, A, 8, B, 8]).
