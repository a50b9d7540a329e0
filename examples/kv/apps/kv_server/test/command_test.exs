defmodule KVServer.CommandTest do
  use ExUnit.Case, async: true
  doctest KVServer.Command

  alias KVServer.Command

  defp unique_bucket, do: "bucket#{System.unique_integer([:positive])}"

  describe "parse/1" do
    test "accepts surrounding and repeated whitespace" do
      assert Command.parse("  PUT   b  k  v  \n") == {:ok, {:put, "b", "k", "v"}}
      assert Command.parse("CREATE b") == {:ok, {:create, "b"}}
    end

    test "rejects unknown verbs, wrong arity and lowercase verbs" do
      for line <- [
            "",
            "\r\n",
            "HELLO\r\n",
            "CREATE\r\n",
            "CREATE a b\r\n",
            "PUT b k\r\n",
            "PUT b k v extra\r\n",
            "DELETE b\r\n",
            "get b k\r\n"
          ] do
        assert Command.parse(line) == {:error, :unknown_command}, "for #{inspect(line)}"
      end
    end
  end

  describe "format/1" do
    test "every answer is one CRLF-terminated line" do
      assert Command.format({:ok, "OK"}) == "OK\r\n"
      assert Command.format({:ok, ""}) == "\r\n"
      assert Command.format({:error, :unknown_command}) == "UNKNOWN COMMAND\r\n"
      assert Command.format({:error, :not_found}) == "NOT FOUND\r\n"
    end
  end

  describe "run/1 (local routing table)" do
    test "create, put, get, delete" do
      bucket = unique_bucket()
      assert Command.run({:create, bucket}) == {:ok, "OK"}
      assert Command.run({:get, bucket, "milk"}) == {:ok, ""}
      assert Command.run({:put, bucket, "milk", "1"}) == {:ok, "OK"}
      assert Command.run({:get, bucket, "milk"}) == {:ok, "1"}
      assert Command.run({:delete, bucket, "milk"}) == {:ok, "OK"}
      assert Command.run({:get, bucket, "milk"}) == {:ok, ""}
    end

    test "creating twice keeps the contents" do
      bucket = unique_bucket()
      Command.run({:create, bucket})
      Command.run({:put, bucket, "eggs", "3"})
      assert Command.run({:create, bucket}) == {:ok, "OK"}
      assert Command.run({:get, bucket, "eggs"}) == {:ok, "3"}
    end

    test "missing buckets are NOT FOUND" do
      bucket = unique_bucket()
      assert Command.run({:get, bucket, "k"}) == {:error, :not_found}
      assert Command.run({:put, bucket, "k", "v"}) == {:error, :not_found}
      assert Command.run({:delete, bucket, "k"}) == {:error, :not_found}
    end

    test "buckets no routing entry covers are NOT FOUND" do
      assert Command.run({:create, "Uppercase"}) == {:error, :not_found}
      assert Command.run({:get, "9lives", "k"}) == {:error, :not_found}
    end
  end
end
