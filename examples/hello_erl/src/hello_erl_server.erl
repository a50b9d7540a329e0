%% @doc TCP server of hello_erl.
%%
%% The gen_server owns the listening socket and the request counter. A
%% linked acceptor process accepts clients and hands every connection to its
%% own (unlinked) process, which reads lines and asks the gen_server for the
%% answer. Protocol, one request per line, one answer line ending in "\n":
%%
%%   PING         -> PONG
%%   ECHO text    -> text
%%   COUNT        -> requests served so far, this one included
%%   anything else -> ERROR unknown
%%
%% The port comes from the `port' application env key (default 4050); the
%% HELLO_PORT OS environment variable, read when the server starts, wins.
-module(hello_erl_server).
-behaviour(gen_server).

%% API
-export([start_link/0, port/0, count/0, request/1]).
%% Pure helpers, exported for tests
-export([parse/1, answer/2, resolve_port/2]).
%% gen_server callbacks
-export([init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2]).

-define(DEFAULT_PORT, 4050).
-define(CONNECT_TIMEOUT, 5000).

-record(state, {listen :: gen_tcp:socket(),
                port :: inet:port_number(),
                acceptor :: pid(),
                count = 0 :: non_neg_integer()}).

-type request() :: ping | count | {echo, binary()} | {unknown, binary()}.

%%% API

start_link() ->
    gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).

%% @doc The port the server actually listens on.
-spec port() -> inet:port_number().
port() ->
    gen_server:call(?MODULE, port).

%% @doc Number of requests served so far.
-spec count() -> non_neg_integer().
count() ->
    gen_server:call(?MODULE, count).

%% @doc Serves one request line and returns the answer line.
-spec request(binary()) -> binary().
request(Line) ->
    gen_server:call(?MODULE, {request, Line}).

%%% Pure helpers

%% @doc Decodes one request line (trailing CR/LF are ignored).
-spec parse(binary()) -> request().
parse(Line) ->
    case chomp(Line) of
        <<"PING">> -> ping;
        <<"COUNT">> -> count;
        <<"ECHO">> -> {echo, <<>>};
        <<"ECHO ", Text/binary>> -> {echo, Text};
        Other -> {unknown, Other}
    end.

%% @doc Answer line for a request, given the number of requests served
%% (including this one).
-spec answer(request(), non_neg_integer()) -> binary().
answer(ping, _Count) -> <<"PONG\n">>;
answer({echo, Text}, _Count) -> <<Text/binary, "\n">>;
answer(count, Count) -> <<(integer_to_binary(Count))/binary, "\n">>;
answer({unknown, _}, _Count) -> <<"ERROR unknown\n">>.

%% @doc Picks the listening port: the HELLO_PORT value (as returned by
%% os:getenv/1) if set and non-empty, the application env value otherwise.
-spec resolve_port(string() | false, term()) ->
          {ok, inet:port_number()} | {error, {bad_port, term()}}.
resolve_port(Env, AppPort) when Env =:= false; Env =:= "" ->
    check_port(AppPort);
resolve_port(Env, _AppPort) ->
    case string:to_integer(string:trim(Env)) of
        {Port, ""} -> check_port(Port);
        _ -> {error, {bad_port, Env}}
    end.

check_port(Port) when is_integer(Port), Port >= 0, Port =< 65535 -> {ok, Port};
check_port(Port) -> {error, {bad_port, Port}}.

chomp(<<>>) ->
    <<>>;
chomp(Bin) ->
    case binary:last(Bin) of
        C when C =:= $\n; C =:= $\r -> chomp(binary:part(Bin, 0, byte_size(Bin) - 1));
        _ -> Bin
    end.

%%% gen_server callbacks

init([]) ->
    process_flag(trap_exit, true),
    AppPort = application:get_env(hello_erl, port, ?DEFAULT_PORT),
    case resolve_port(os:getenv("HELLO_PORT"), AppPort) of
        {ok, Port} -> listen(Port);
        {error, Reason} -> {stop, Reason}
    end.

listen(Port) ->
    Opts = [binary, {packet, line}, {active, false}, {reuseaddr, true}],
    case gen_tcp:listen(Port, Opts) of
        {ok, Listen} ->
            {ok, Actual} = inet:port(Listen),
            Acceptor = proc_lib:spawn_link(fun() -> accept_loop(Listen) end),
            logger:info("hello_erl listening on port ~b", [Actual]),
            {ok, #state{listen = Listen, port = Actual, acceptor = Acceptor}};
        {error, Reason} ->
            {stop, {listen_failed, Port, Reason}}
    end.

handle_call({request, Line}, _From, State = #state{count = Count0}) ->
    Count = Count0 + 1,
    {reply, answer(parse(Line), Count), State#state{count = Count}};
handle_call(port, _From, State) ->
    {reply, State#state.port, State};
handle_call(count, _From, State) ->
    {reply, State#state.count, State};
handle_call(_Other, _From, State) ->
    {reply, {error, unknown_call}, State}.

handle_cast(_Msg, State) ->
    {noreply, State}.

handle_info({'EXIT', Acceptor, Reason}, State = #state{acceptor = Acceptor}) ->
    {stop, {acceptor_exited, Reason}, State};
handle_info(_Info, State) ->
    {noreply, State}.

terminate(_Reason, #state{listen = Listen}) ->
    %% Closing the socket makes the acceptor's accept/1 return and exit.
    gen_tcp:close(Listen).

%%% Acceptor and connection processes

accept_loop(Listen) ->
    case gen_tcp:accept(Listen) of
        {ok, Socket} ->
            Pid = proc_lib:spawn(fun() -> connection_init() end),
            %% Fails only if the client already went away; the connection
            %% process then just sees a closed socket.
            _ = gen_tcp:controlling_process(Socket, Pid),
            Pid ! {socket, Socket},
            accept_loop(Listen);
        {error, closed} ->
            ok;
        {error, Reason} ->
            exit({accept_failed, Reason})
    end.

connection_init() ->
    receive
        {socket, Socket} -> serve(Socket)
    after ?CONNECT_TIMEOUT ->
        exit(no_socket)
    end.

serve(Socket) ->
    case gen_tcp:recv(Socket, 0) of
        {ok, Line} ->
            case gen_tcp:send(Socket, request(Line)) of
                ok -> serve(Socket);
                {error, _} -> gen_tcp:close(Socket)
            end;
        {error, _} ->
            gen_tcp:close(Socket)
    end.
