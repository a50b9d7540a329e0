defmodule KV.BucketTest do
  use ExUnit.Case, async: true

  setup do
    %{bucket: start_supervised!(KV.Bucket)}
  end

  test "a new bucket is empty", %{bucket: bucket} do
    assert KV.Bucket.get(bucket, "milk") == nil
  end

  test "put then get returns the stored value", %{bucket: bucket} do
    :ok = KV.Bucket.put(bucket, "milk", "3")
    assert KV.Bucket.get(bucket, "milk") == "3"

    :ok = KV.Bucket.put(bucket, "milk", "4")
    assert KV.Bucket.get(bucket, "milk") == "4"
  end

  test "delete removes a key and returns its old value", %{bucket: bucket} do
    KV.Bucket.put(bucket, "eggs", "12")
    assert KV.Bucket.delete(bucket, "eggs") == "12"
    assert KV.Bucket.get(bucket, "eggs") == nil
    assert KV.Bucket.delete(bucket, "eggs") == nil
  end

  test "buckets are never restarted" do
    assert Supervisor.child_spec(KV.Bucket, []).restart == :temporary
  end
end
