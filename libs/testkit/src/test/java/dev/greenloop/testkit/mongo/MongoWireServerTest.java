package dev.greenloop.testkit.mongo;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.result.UpdateResult;
import dev.greenloop.testkit.junit.MongoExtension;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(MongoExtension.class)
class MongoWireServerTest {

    @Test
    void crudUniqueIndexAndUpsertWithMaxWorkThroughTheDriver(MongoWireServer mongo) {
        try (MongoClient client = MongoClients.create(mongo.connectionString())) {
            MongoCollection<Document> devices = client.getDatabase("testkit").getCollection("devices");
            devices.drop();
            devices.createIndex(Indexes.ascending("tokenHash"), new IndexOptions().unique(true));

            devices.insertOne(new Document("_id", "climate-1").append("tokenHash", "h1").append("zone", "zone-a"));
            assertThat(devices.find(Filters.eq("_id", "climate-1")).first()).containsEntry("zone", "zone-a");

            devices.updateOne(Filters.eq("_id", "climate-1"), Updates.set("zone", "zone-b"));
            assertThat(devices.find(Filters.eq("_id", "climate-1")).first()).containsEntry("zone", "zone-b");

            assertThatThrownBy(() -> devices.insertOne(new Document("_id", "climate-2").append("tokenHash", "h1")))
                    .isInstanceOfSatisfying(MongoWriteException.class,
                            e -> assertThat(e.getError().getCategory()).isEqualTo(ErrorCategory.DUPLICATE_KEY));

            devices.deleteOne(Filters.eq("_id", "climate-1"));
            assertThat(devices.countDocuments()).isZero();

            MongoCollection<Document> watermarks = client.getDatabase("testkit").getCollection("watermarks");
            watermarks.drop();
            UpdateOptions upsert = new UpdateOptions().upsert(true);
            UpdateResult created = watermarks.updateOne(Filters.eq("_id", "gh-1/zone-a"), Updates.max("ts", 100L), upsert);
            watermarks.updateOne(Filters.eq("_id", "gh-1/zone-a"), Updates.max("ts", 50L), upsert);
            watermarks.updateOne(Filters.eq("_id", "gh-1/zone-a"), Updates.max("ts", 170L), upsert);
            watermarks.updateOne(Filters.eq("_id", "gh-1/zone-a"), Updates.max("ts", 120L), upsert);

            assertThat(created.getUpsertedId()).isNotNull();
            assertThat(watermarks.countDocuments()).isEqualTo(1);
            assertThat(watermarks.find().first().getLong("ts")).isEqualTo(170L);
        }
    }

    /** A durable server comes back from a restart on the same port with its data; a paused one answers nothing until resumed. */
    @Test
    void aDurableServerKeepsItsDataAcrossARestartAndAPausedOneAnswersAfterResume() {
        try (MongoWireServer durable = MongoWireServer.startDurable()) {
            String uri = durable.connectionString() + "/?serverSelectionTimeoutMS=2000";
            try (MongoClient client = MongoClients.create(uri)) {
                client.getDatabase("t").getCollection("c").insertOne(new Document("_id", "kept").append("v", 1));
            }
            durable.restart();
            try (MongoClient client = MongoClients.create(uri)) {
                Document kept = client.getDatabase("t").getCollection("c").find(Filters.eq("_id", "kept")).first();
                assertThat(kept).isNotNull();
                assertThat(kept.getInteger("v")).isEqualTo(1);
            }
            durable.pause();
            try (MongoClient client = MongoClients.create(durable.connectionString()
                    + "/?serverSelectionTimeoutMS=1000&socketTimeoutMS=1000&connectTimeoutMS=1000")) {
                assertThatThrownBy(() -> client.getDatabase("t").getCollection("c").countDocuments())
                        .isInstanceOf(com.mongodb.MongoException.class);
                durable.resume();
                assertThat(client.getDatabase("t").getCollection("c").countDocuments()).isEqualTo(1);
            }
        }
    }
}
