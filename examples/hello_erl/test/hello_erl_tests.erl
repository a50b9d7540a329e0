-module(hello_erl_tests).
-include_lib("eunit/include/eunit.hrl").

%%% Protocol logic

parse_test_() ->
    [?_assertEqual(ping, hello_erl_server:parse(<<"PING\n">>)),
     ?_assertEqual(ping, hello_erl_server:parse(<<"PING\r\n">>)),
     ?_assertEqual(ping, hello_erl_server:parse(<<"PING">>)),
     ?_assertEqual(count, hello_erl_server:parse(<<"COUNT\n">>)),
     ?_assertEqual({echo, <<"hello world">>}, hello_erl_server:parse(<<"ECHO hello world\n">>)),
     ?_assertEqual({echo, <<" spaced ">>}, hello_erl_server:parse(<<"ECHO  spaced \r\n">>)),
     ?_assertEqual({echo, <<>>}, hello_erl_server:parse(<<"ECHO\n">>)),
     ?_assertEqual({unknown, <<"ping">>}, hello_erl_server:parse(<<"ping\n">>)),
     ?_assertEqual({unknown, <<"ECHOX">>}, hello_erl_server:parse(<<"ECHOX\n">>)),
     ?_assertEqual({unknown, <<>>}, hello_erl_server:parse(<<"\n">>))].

answer_test_() ->
    [?_assertEqual(<<"PONG\n">>, hello_erl_server:answer(ping, 7)),
     ?_assertEqual(<<"hi there\n">>, hello_erl_server:answer({echo, <<"hi there">>}, 1)),
     ?_assertEqual(<<"\n">>, hello_erl_server:answer({echo, <<>>}, 1)),
     ?_assertEqual(<<"42\n">>, hello_erl_server:answer(count, 42)),
     ?_assertEqual(<<"ERROR unknown\n">>, hello_erl_server:answer({unknown, <<"x">>}, 1))].

resolve_port_test_() ->
    [?_assertEqual({ok, 4050}, hello_erl_server:resolve_port(false, 4050)),
     ?_assertEqual({ok, 4050}, hello_erl_server:resolve_port("", 4050)),
     ?_assertEqual({ok, 5000}, hello_erl_server:resolve_port("5000", 4050)),
     ?_assertEqual({ok, 5000}, hello_erl_server:resolve_port(" 5000\n", 4050)),
     ?_assertEqual({ok, 0}, hello_erl_server:resolve_port("0", 4050)),
     ?_assertEqual({error, {bad_port, "http"}}, hello_erl_server:resolve_port("http", 4050)),
     ?_assertEqual({error, {bad_port, 70000}}, hello_erl_server:resolve_port("70000", 4050)),
     ?_assertEqual({error, {bad_port, 70000}}, hello_erl_server:resolve_port(false, 70000)),
     ?_assertEqual({error, {bad_port, "4050x"}}, hello_erl_server:resolve_port("4050x", 1))].

%%% Real TCP round trips against the running application

%% Starts the application on a free ephemeral port (or on the port given via
%% HELLO_PORT), restoring the environment afterwards.
start_app(HelloPort) ->
    SavedEnv = os:getenv("HELLO_PORT"),
    case HelloPort of
        false -> os:unsetenv("HELLO_PORT");
        _ -> os:putenv("HELLO_PORT", HelloPort)
    end,
    ok = application:load(hello_erl),
    SavedPort = application:get_env(hello_erl, port),
    ok = application:set_env(hello_erl, port, 0),
    {ok, _} = application:ensure_all_started(hello_erl),
    {SavedEnv, SavedPort}.

stop_app({SavedEnv, SavedPort}) ->
    ok = application:stop(hello_erl),
    case SavedPort of
        {ok, Port} -> application:set_env(hello_erl, port, Port);
        undefined -> application:unset_env(hello_erl, port)
    end,
    ok = application:unload(hello_erl),
    case SavedEnv of
        false -> os:unsetenv("HELLO_PORT");
        Value -> os:putenv("HELLO_PORT", Value)
    end.

connect() ->
    {ok, Socket} = gen_tcp:connect({127, 0, 0, 1}, hello_erl_server:port(),
                                   [binary, {packet, line}, {active, false}], 2000),
    Socket.

ask(Socket, Line) ->
    ok = gen_tcp:send(Socket, Line),
    {ok, Answer} = gen_tcp:recv(Socket, 0, 2000),
    Answer.

tcp_test_() ->
    {setup, fun() -> start_app(false) end, fun stop_app/1,
     [{"round trip", fun round_trip/0},
      {"concurrent clients share the counter", fun concurrent_clients/0},
      {"server survives client disconnects", fun disconnects/0}]}.

round_trip() ->
    S = connect(),
    Before = hello_erl_server:count(),
    ?assertEqual(<<"PONG\n">>, ask(S, <<"PING\n">>)),
    ?assertEqual(<<"hello world\n">>, ask(S, <<"ECHO hello world\n">>)),
    ?assertEqual(<<"ERROR unknown\n">>, ask(S, <<"WHAT\r\n">>)),
    Expected = integer_to_binary(Before + 4),
    ?assertEqual(<<Expected/binary, "\n">>, ask(S, <<"COUNT\n">>)),
    ok = gen_tcp:close(S).

concurrent_clients() ->
    A = connect(),
    B = connect(),
    ?assertEqual(<<"PONG\n">>, ask(A, <<"PING\n">>)),
    ?assertEqual(<<"PONG\n">>, ask(B, <<"PING\n">>)),
    <<CountA/binary>> = ask(A, <<"COUNT\n">>),
    <<CountB/binary>> = ask(B, <<"COUNT\n">>),
    ?assertEqual(binary_to_integer(string:trim(CountA)) + 1,
                 binary_to_integer(string:trim(CountB))),
    gen_tcp:close(A),
    gen_tcp:close(B).

disconnects() ->
    Server = whereis(hello_erl_server),
    Quitter = connect(),
    ok = gen_tcp:send(Quitter, <<"PI">>),
    ok = gen_tcp:close(Quitter),
    S = connect(),
    ?assertEqual(<<"PONG\n">>, ask(S, <<"PING\n">>)),
    ?assertEqual(Server, whereis(hello_erl_server)),
    gen_tcp:close(S).

hello_port_env_test_() ->
    %% Find a free port, then ask the server to use it through HELLO_PORT.
    {ok, Probe} = gen_tcp:listen(0, [{reuseaddr, true}]),
    {ok, Free} = inet:port(Probe),
    ok = gen_tcp:close(Probe),
    {setup, fun() -> start_app(integer_to_list(Free)) end, fun stop_app/1,
     fun(_) ->
         [?_assertEqual(Free, hello_erl_server:port()),
          ?_assertEqual(<<"PONG\n">>, ask(connect(), <<"PING\n">>))]
     end}.
