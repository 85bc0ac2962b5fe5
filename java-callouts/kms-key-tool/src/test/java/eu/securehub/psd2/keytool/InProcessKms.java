package eu.securehub.psd2.keytool;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.cloud.kms.v1.KeyManagementServiceSettings;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link FakeKms} served in-process, and real {@link KeyManagementServiceClient}s talking to it
 * over an in-process gRPC channel. No network.
 */
final class InProcessKms implements AutoCloseable {
    final FakeKms fake = new FakeKms();
    private final String serverName = InProcessServerBuilder.generateName();
    private final Server server;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<KeyManagementServiceClient> clients = new ArrayList<>();

    InProcessKms() {
        try {
            server = InProcessServerBuilder.forName(serverName).directExecutor().addService(fake).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opens clients of this fake, honouring the connection's time limit like production does. */
    Cli.KmsClientFactory factory() {
        return connection -> client(serverName, connection.timeout());
    }

    /** Opens clients of an in-process server that does not exist: the endpoint is unreachable. */
    Cli.KmsClientFactory unreachable() {
        return connection -> client(InProcessServerBuilder.generateName(), connection.timeout());
    }

    /** A client for checks made by the tests themselves; closed with this. */
    KeyManagementServiceClient client() {
        KeyManagementServiceClient client = client(serverName, KmsConnection.DEFAULT_TIMEOUT);
        clients.add(client);
        return client;
    }

    private KeyManagementServiceClient client(String name, Duration timeout) {
        ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        channels.add(channel);
        KeyManagementServiceSettings.Builder settings = KeyManagementServiceSettings.newBuilder()
                .setCredentialsProvider(NoCredentialsProvider.create())
                .setTransportChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)));
        KmsConnection.limitTime(settings, timeout);
        try {
            return KeyManagementServiceClient.create(settings.build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        clients.forEach(KeyManagementServiceClient::close);
        channels.forEach(ManagedChannel::shutdownNow);
        server.shutdownNow();
    }
}
