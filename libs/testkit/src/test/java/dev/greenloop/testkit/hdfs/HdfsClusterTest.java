package dev.greenloop.testkit.hdfs;

import dev.greenloop.testkit.junit.HdfsExtension;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(HdfsExtension.class)
class HdfsClusterTest {

    private static final MessageType SCHEMA = MessageTypeParser.parseMessageType(
            "message reading { required binary sensor (UTF8); required double value; required int64 ts; }");

    @Test
    void parquetWrittenToHdfsIsListedAndReadBackAndServedOverWebHdfs(HdfsCluster hdfs) throws Exception {
        Configuration conf = new Configuration();
        hdfs.clientConfig().forEach(conf::set);
        Path file = new Path("/testkit/raw/greenhouse=gh-1/part-0.parquet");

        SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(file)
                .withConf(conf)
                .withType(SCHEMA)
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .build()) {
            for (int i = 0; i < 500; i++) {
                writer.write(groups.newGroup().append("sensor", "air_temperature").append("value", 20.0 + i / 100.0)
                        .append("ts", 1_750_000_000_000L + i * 60_000L));
            }
        }

        byte[] viaHdfs;
        try (FileSystem fs = FileSystem.newInstance(hdfs.uri(), conf)) {
            FileStatus[] listed = fs.listStatus(file.getParent());
            assertThat(listed).extracting(s -> s.getPath().getName()).containsExactly("part-0.parquet");
            assertThat(fs.getFileStatus(file).getReplication()).isEqualTo((short) 2);
            try (FSDataInputStream in = fs.open(file)) {
                viaHdfs = in.readAllBytes();
            }
        }

        List<Double> values = new ArrayList<>();
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), file).withConf(conf).build()) {
            for (Group g = reader.read(); g != null; g = reader.read()) {
                values.add(g.getDouble("value", 0));
            }
        }
        assertThat(values).hasSize(500).startsWith(20.0).endsWith(20.0 + 499 / 100.0);

        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.ALWAYS).build();
        URI open = hdfs.webHdfsUri().resolve("/webhdfs/v1" + file.toUri().getPath() + "?op=OPEN&user.name=trainer");
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(open).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(viaHdfs);
        assertThat(new String(viaHdfs, 0, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PAR1");

        URI list = hdfs.webHdfsUri().resolve("/webhdfs/v1/testkit/raw/greenhouse=gh-1?op=LISTSTATUS&user.name=trainer");
        String listing = http.send(HttpRequest.newBuilder(list).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(listing).contains("\"pathSuffix\":\"part-0.parquet\"").contains("\"length\":" + viaHdfs.length);
    }

    /** A cluster of its own, stopped and started again: the files are still there and readable. */
    @Test
    void aRestartedClusterKeepsItsFiles() throws Exception {
        try (HdfsCluster own = HdfsCluster.start()) {
            Configuration conf = new Configuration();
            own.clientConfig().forEach(conf::set);
            // Hadoop's IPC client keeps an idle connection to the NameNode for 10 s and reuses it; one
            // kept across the restart answers the first call with an EOF. Let it go after half a second.
            conf.set("ipc.client.connection.maxidletime", "500");
            Path file = new Path("/testkit/kept.txt");
            try (FileSystem fs = FileSystem.newInstance(own.uri(), conf)) {
                try (var out = fs.create(file)) {
                    out.write("still here".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            own.restart();
            try (FileSystem fs = FileSystem.newInstance(own.uri(), conf); FSDataInputStream in = fs.open(file)) {
                assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("still here");
            }
        }
    }

    /**
     * One DataNode of two stopped, then started again: writes go on with the other (the NameNode
     * still names the stopped one until its heartbeats lapse, and the client leaves it out), what
     * was written before and during is readable, and after the restart too.
     */
    @Test
    void withOneDataNodeDownFilesAreWrittenAndReadAndItComesBack() throws Exception {
        try (HdfsCluster own = HdfsCluster.start()) {
            Configuration conf = new Configuration();
            own.clientConfig().forEach(conf::set);
            Path before = new Path("/testkit/before.txt");
            Path during = new Path("/testkit/during.txt");
            try (FileSystem fs = FileSystem.newInstance(own.uri(), conf)) {
                write(fs, before, "written by two");

                own.stopDataNode();
                write(fs, during, "written by one");
                String readDuring = read(fs, before) + " / " + read(fs, during);

                own.restartDataNode();
                String readAfter = read(fs, before) + " / " + read(fs, during);

                assertThat(readDuring).isEqualTo("written by two / written by one");
                assertThat(readAfter).isEqualTo(readDuring);
            }
        }
    }

    private static void write(FileSystem fs, Path file, String text) throws java.io.IOException {
        try (var out = fs.create(file)) {
            out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static String read(FileSystem fs, Path file) throws java.io.IOException {
        try (FSDataInputStream in = fs.open(file)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
