%% @doc Top supervisor: keeps hello_erl_server alive.
-module(hello_erl_sup).
-behaviour(supervisor).

-export([start_link/0]).
-export([init/1]).

start_link() ->
    supervisor:start_link({local, ?MODULE}, ?MODULE, []).

init([]) ->
    SupFlags = #{strategy => one_for_one, intensity => 5, period => 10},
    Server = #{id => hello_erl_server,
               start => {hello_erl_server, start_link, []},
               restart => permanent,
               shutdown => 5000,
               type => worker,
               modules => [hello_erl_server]},
    {ok, {SupFlags, [Server]}}.
