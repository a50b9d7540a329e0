%% @doc Application callback module of hello_erl.
-module(hello_erl_app).
-behaviour(application).

-export([start/2, stop/1]).

start(_StartType, _StartArgs) ->
    hello_erl_sup:start_link().

stop(_State) ->
    ok.
