package dev.greenloop.testkit.junit;

import dev.greenloop.testkit.hdfs.HdfsCluster;

/**
 * {@code @ExtendWith(HdfsExtension.class)}: a real HdfsCluster for the test class, shared by the whole
 * run; inject it as a {@link HdfsCluster} parameter.
 */
public final class HdfsExtension extends SharedServiceExtension<HdfsCluster> {

    public HdfsExtension() {
        super(HdfsCluster.class);
    }

    @Override
    HdfsCluster shared() {
        return HdfsCluster.shared();
    }
}
